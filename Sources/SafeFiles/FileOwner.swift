import Glibc
import SystemCalls

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

    /// The login's uid and primary gid, nil when there is no such user.
    public static func account(_ name: String) -> FileOwner? {
        ProcessIdentity.account(named: name).map { FileOwner(uid: $0.uid, gid: $0.gid) }
    }

    public var description: String { "uid \(uid)" }
}
