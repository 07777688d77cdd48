import Glibc

/// A file root reads on a user's behalf (a spool mailbox, saved mail, a held message, a
/// `.forward`): reached by `DirectoryWalk`, opened with `O_NOFOLLOW`, a regular file with one
/// name. A symbolic or hard link to another user's mailbox, or to a root-only file, is refused.
public enum SourceFile {
    /// A read descriptor and the file's status; nil when the file (or its directory) is absent.
    public static func open(_ path: String) throws -> (fd: Int32, status: stat)? {
        guard let (dir, name) = try DirectoryWalk.openParent(of: path) else { return nil }
        return try dir.openRegularFile(name, singleLink: true)
    }

    /// The file's status without opening it (same checks); nil when absent.
    public static func status(_ path: String) throws -> stat? {
        guard let (fd, st) = try open(path) else { return nil }
        close(fd)
        return st
    }

    /// Whether a regular file is there; a link or anything else is a refusal, not "absent".
    public static func exists(_ path: String) throws -> Bool { try status(path) != nil }
}
