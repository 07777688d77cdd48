import SystemCalls

/// A `.forward`'s permission bits and owner, journaled beside its bytes so `forward.restore`
/// puts the file back as it was, not merely with the same content.
struct ForwardFileAttributes: Sendable, Hashable {
    var mode: UInt32
    var uid: UInt32
    var gid: UInt32

    init(mode: UInt32, uid: UInt32, gid: UInt32) {
        self.mode = mode & 0o7777
        self.uid = uid
        self.gid = gid
    }

    init(_ st: FileStatus) { self.init(mode: st.mode, uid: st.owner, gid: st.group) }

    /// The journal form: `0644:1000:100` (octal mode, uid, gid).
    var encoded: String { "\(String(mode, radix: 8)):\(uid):\(gid)" }

    init?(encoded: String) {
        let p = encoded.split(separator: ":")
        guard p.count == 3, let m = UInt32(p[0], radix: 8), let u = UInt32(p[1]), let g = UInt32(p[2]) else { return nil }
        self.init(mode: m, uid: u, gid: g)
    }

    /// The same owner with mode 0600: the backup copy kept beside the `.forward`.
    var privateCopy: ForwardFileAttributes { ForwardFileAttributes(mode: 0o600, uid: uid, gid: gid) }
}
