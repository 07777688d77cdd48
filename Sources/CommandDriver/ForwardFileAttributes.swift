import Glibc

/// A `.forward`'s permission bits and owner, journaled beside its bytes so `forward.restore`
/// puts the file back as it was, not merely with the same content.
struct ForwardFileAttributes: Sendable, Hashable {
    var mode: mode_t
    var uid: uid_t
    var gid: gid_t

    init(mode: mode_t, uid: uid_t, gid: gid_t) {
        self.mode = mode & 0o7777
        self.uid = uid
        self.gid = gid
    }

    init(_ st: stat) { self.init(mode: st.st_mode, uid: st.st_uid, gid: st.st_gid) }

    /// The journal form: `0644:1000:100` (octal mode, uid, gid).
    var encoded: String { "\(String(mode, radix: 8)):\(uid):\(gid)" }

    init?(encoded: String) {
        let p = encoded.split(separator: ":")
        guard p.count == 3, let m = mode_t(p[0], radix: 8), let u = uid_t(p[1]), let g = gid_t(p[2]) else { return nil }
        self.init(mode: m, uid: u, gid: g)
    }

    /// The same owner with mode 0600: the backup copy kept beside the `.forward`.
    var privateCopy: ForwardFileAttributes { ForwardFileAttributes(mode: 0o600, uid: uid, gid: gid) }
}
