import Glibc

/// What `fstat`/`lstat` says of a file, in the terms callers decide on: its kind, size, owner,
/// permission bits and file system.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, directory, symbolicLink, other
    }

    public var kind: Kind
    public var size: Int
    public var owner: UInt32
    /// `st_mode` whole: type and permission bits.
    public var mode: UInt32
    /// The permission bits (`st_mode & 0o7777`).
    public var permissions: UInt32 { mode & 0o7777 }
    /// The sticky bit: in a directory others may write, only a file's owner may rename it.
    public var isSticky: Bool { mode & UInt32(S_ISVTX) != 0 }
    public var device: UInt64

    init(_ s: stat) {
        switch s.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int(s.st_size)
        owner = UInt32(s.st_uid)
        mode = UInt32(s.st_mode)
        device = UInt64(s.st_dev)
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
