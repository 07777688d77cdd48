import Glibc
import SafeFiles

/// A source file's identity at a moment: enough to tell that it changed (grew, was replaced).
public struct SourceIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var inode: UInt64
    public var device: UInt64
    public var size: Int
    /// Modification time, nanoseconds since the epoch.
    public var mtimeNanos: Int64

    public init(inode: UInt64, device: UInt64, size: Int, mtimeNanos: Int64) {
        self.inode = inode
        self.device = device
        self.size = size
        self.mtimeNanos = mtimeNanos
    }

    init(_ st: stat) {
        self.init(
            inode: UInt64(st.st_ino), device: UInt64(st.st_dev), size: Int(st.st_size),
            // Wrapping: a mailbox's owner can set any mtime (year 3000 overflows nanoseconds), and
            // the identity only has to change when the file does, not to read as a date.
            mtimeNanos: Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec))
    }

    /// The identity of `path` now, or nil when it does not exist, or is not a regular file with
    /// one name reached without a link (a link's target is not the user's mailbox, and reporting
    /// its identity would let verify and retire vouch for another file).
    public static func of(_ path: String) -> SourceIdentity? {
        guard let st = try? SourceFile.status(path) else { return nil }
        return SourceIdentity(st)
    }

    /// Journal form: `inode:size:mtime_ns`.
    public var description: String { "\(inode):\(size):\(mtimeNanos)" }

    public init?(_ text: String) {
        let p = text.split(separator: ":")
        guard p.count == 3, let i = UInt64(p[0]), let s = Int(p[1]), let m = Int64(p[2]) else { return nil }
        self.init(inode: i, device: 0, size: s, mtimeNanos: m)
    }
}
