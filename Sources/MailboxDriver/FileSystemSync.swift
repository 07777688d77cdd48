import Glibc

/// `syncfs(2)`: makes every dirty page of one file system durable in one call.
///
/// Glibc declares it only under `_GNU_SOURCE`, which Swift's Glibc module does not see, so it is
/// looked up once with `dlsym`; where it is missing, `sync(2)` (all file systems) stands in.
enum FileSystemSync {
    private typealias SyncFS = @convention(c) (Int32) -> Int32

    private static let syncfsFunction: SyncFS? = {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(sym, to: SyncFS.self)
    }()

    /// Flushes the file system holding `fd`; returns false with `errno` set on failure.
    static func sync(_ fd: Int32) -> Bool {
        if let f = syncfsFunction { return f(fd) == 0 }
        Glibc.sync()
        return true
    }
}
