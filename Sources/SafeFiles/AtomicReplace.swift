import Glibc
import SystemCalls

extension DirectoryHandle {
    /// Replaces (or creates) the file `name` with `bytes`, atomically: a temporary file with an
    /// unpredictable name (created `O_EXCL | O_NOFOLLOW`), mode and owner set on its descriptor,
    /// fsync, `renameat` over the name (which replaces a link rather than following it), and an
    /// fsync of the directory.
    public func replaceFile(_ name: String, with bytes: [UInt8], mode: mode_t, owner: FileOwner?) throws {
        let temp = uniqueName(for: name)
        let f = try createFile(temp, mode: mode, owner: owner)
        var renamed = false
        defer { if !renamed { unlinkat(fd, temp, 0) } }
        do {
            defer { close(f) }
            try Self.writeAll(f, bytes, path: path(of: name))
            guard fsync(f) == 0 else { throw FileRefusal.system(path(of: name), "cannot fsync") }
        }
        guard renameat(fd, temp, fd, name) == 0 else { throw FileRefusal.system(path(of: name), "cannot rename into place") }
        renamed = true
        try sync()
    }

    /// A name beside `name` that no one can guess in advance (so no one can plant it): 64 bits
    /// from the system's random source (getrandom).
    public func uniqueName(for name: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return ".\(name.prefix(100)).mailshift-\(String(generator.next() as UInt64, radix: 16))"
    }

    static func writeAll(_ f: Int32, _ bytes: [UInt8], path: String) throws {
        do {
            try Descriptor.writeAll(f, bytes)
        } catch {
            throw FileRefusal.system(path, "cannot write", error.code)
        }
    }
}
