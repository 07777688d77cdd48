#if canImport(Glibc)
import Glibc
#endif

/// The system account that owns the lab's Maildirs when real daemons serve them: Dovecot never
/// touches mail as root, so the store (and every import into it, through the plans'
/// `store.owner`) belongs to this account. Debian's `mail` user exists on every system.
public struct StoreOwner: Sendable, Hashable {
    public var name: String
    public var uid: uid_t
    public var gid: gid_t

    public static func lookup(_ name: String = "mail") throws -> StoreOwner {
        guard let pw = getpwnam(name) else {
            throw LabError("there is no '\(name)' user on this machine", hint: "the lab's store belongs to Debian's 'mail' account")
        }
        return StoreOwner(name: name, uid: pw.pointee.pw_uid, gid: pw.pointee.pw_gid)
    }
}
