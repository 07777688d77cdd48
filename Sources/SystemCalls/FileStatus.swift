import Glibc

/// What `fstat`/`lstat` says of a file, in the terms callers decide on: its kind, size, owner,
/// permission bits and file system.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, directory, symbolicLink, socket, other

        /// The kind `st_mode`'s type bits name.
        public init(mode: UInt32) {
            switch mode & UInt32(S_IFMT) {
            case UInt32(S_IFREG): self = .regular
            case UInt32(S_IFDIR): self = .directory
            case UInt32(S_IFLNK): self = .symbolicLink
            case UInt32(S_IFSOCK): self = .socket
            default: self = .other
            }
        }
    }

    public var kind: Kind
    public var size: Int
    public var owner: UInt32
    public var group: UInt32
    /// `st_mode` whole: type and permission bits.
    public var mode: UInt32
    /// The permission bits (`st_mode & 0o7777`).
    public var permissions: UInt32 { mode & 0o7777 }
    /// The sticky bit: in a directory others may write, only a file's owner may rename it.
    public var isSticky: Bool { mode & UInt32(S_ISVTX) != 0 }
    public var device: UInt64
    /// `st_mtim.tv_sec`: seconds since the epoch of the last change of content.
    public var modifiedSeconds: Int

    /// Decodes a `stat` another layer already holds (SafeFiles' descriptor-relative opens).
    public init(_ s: stat) {
        kind = Kind(mode: UInt32(s.st_mode))
        size = Int(s.st_size)
        owner = UInt32(s.st_uid)
        group = UInt32(s.st_gid)
        mode = UInt32(s.st_mode)
        device = UInt64(s.st_dev)
        modifiedSeconds = Int(s.st_mtim.tv_sec)
    }

    /// `fstat(2)` of an open descriptor: the file actually read, not whatever the path names now.
    public static func of(descriptor fd: Int32) throws(Errno) -> FileStatus {
        var s = stat()
        guard fstat(fd, &s) == 0 else { throw Errno.current }
        return FileStatus(s)
    }

    /// `stat(2)`: what `path` names once every symbolic link is followed.
    public static func of(followingLinksAt path: String) throws(Errno) -> FileStatus {
        var s = stat()
        guard stat(path, &s) == 0 else { throw Errno.current }
        return FileStatus(s)
    }

    /// `lstat(2)`: a symbolic link is reported as itself, never followed.
    public static func of(linkAt path: String) throws(Errno) -> FileStatus {
        var s = stat()
        guard lstat(path, &s) == 0 else { throw Errno.current }
        return FileStatus(s)
    }
}
