import Glibc

/// Who this process runs as, and the password database's accounts (the `_r` calls: thread-safe).
public enum ProcessIdentity {
    /// `geteuid(2)`: the user whose rights the process has.
    public static var effectiveUser: UInt32 { geteuid() }

    /// `getpid(2)`.
    public static var processID: Int32 { getpid() }

    /// The account name of `uid` in the password database (not `$USER`, which anyone can set).
    public static func accountName(of uid: UInt32) -> String? {
        var pw = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &pw, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: pw.pw_name)
    }

    /// The uid and primary gid of the account `name`, nil when there is none.
    public static func account(named name: String) -> (uid: UInt32, gid: UInt32)? {
        var pw = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(name, &pw, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return (pw.pw_uid, pw.pw_gid)
    }
}
