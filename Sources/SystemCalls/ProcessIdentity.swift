import Glibc

/// Who this process runs as, and the password database's accounts.
public enum ProcessIdentity {
    /// `geteuid(2)`: the user whose rights the process has.
    public static var effectiveUser: UInt32 { geteuid() }

    /// The account name of `uid` in the password database (not `$USER`, which anyone can set).
    public static func accountName(of uid: UInt32) -> String? {
        getpwuid(uid).map { String(cString: $0.pointee.pw_name) }
    }

    /// The uid and primary gid of the account `name`, nil when there is none.
    public static func account(named name: String) -> (uid: UInt32, gid: UInt32)? {
        getpwnam(name).map { ($0.pointee.pw_uid, $0.pointee.pw_gid) }
    }
}
