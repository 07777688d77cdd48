import Glibc

/// An `errno` value captured at the failing call (never read later, after another call such as
/// `close` may have replaced it).
public struct Errno: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    /// The calling thread's `errno`, now.
    public static var current: Errno { Errno(errno) }

    /// `ENOENT`.
    public static let noSuchFile = Errno(ENOENT)
    /// `EEXIST`.
    public static let exists = Errno(EEXIST)
    /// `ELOOP`: what `O_NOFOLLOW` answers for a symbolic link.
    public static let symbolicLinkLoop = Errno(ELOOP)
    /// `EBADF`.
    public static let badDescriptor = Errno(EBADF)
    /// `ENOTDIR`.
    public static let notADirectory = Errno(ENOTDIR)

    public var description: String { String(cString: strerror(code)) }
}
