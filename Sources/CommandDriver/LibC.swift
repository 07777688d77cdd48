import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two glibc calls Swift's Glibc module hides behind `_GNU_SOURCE` (`pipe2`,
/// `posix_spawn_file_actions_addclosefrom_np`), looked up with `dlsym`, with portable fallbacks.
enum LibC {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static let pipe2: Pipe2? = symbol("pipe2")
    private static let addCloseFromNP: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, name) else { return nil }
        return unsafeBitCast(sym, to: T.self)
    }

    /// `pipe2(fds, O_CLOEXEC)`: both ends close-on-exec from birth, so a child spawned by another
    /// thread cannot inherit them (with the fallback there is a short window where it can).
    static func pipeCloexec(_ fds: UnsafeMutablePointer<Int32>) -> Int32 {
        if let pipe2 { return pipe2(fds, O_CLOEXEC) }
        guard pipe(fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return 0
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+): the child closes every descriptor
    /// from `low` up; without it, close-on-exec is what keeps descriptors out of the child.
    static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ low: Int32) {
        if let addCloseFromNP { _ = addCloseFromNP(actions, low) }
    }
}
