import Glibc

/// Who a file or directory mailshift creates belongs to.
public struct FileOwner: Sendable, Hashable, CustomStringConvertible {
    public var uid: uid_t
    public var gid: gid_t

    public init(uid: uid_t, gid: gid_t) {
        self.uid = uid
        self.gid = gid
    }

    /// The account this process acts as (root for a production run).
    public static var process: FileOwner { FileOwner(uid: geteuid(), gid: getegid()) }

    /// The login's uid and primary gid (getpwnam_r: thread-safe), nil when there is no such user.
    public static func account(_ name: String) -> FileOwner? {
        var pw = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(name, &pw, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return FileOwner(uid: pw.pw_uid, gid: pw.pw_gid)
    }

    public var description: String { "uid \(uid)" }
}
