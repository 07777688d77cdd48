#if canImport(Glibc)
import Glibc
#endif

/// Opening the files of a state directory: never through a symbolic link, never inherited by a
/// child, created 0600, and refused when someone else could have written them.
enum PrivateFile {
    /// Opens `path` with `flags` (plus O_NOFOLLOW and O_CLOEXEC; created 0600 with O_CREAT) and
    /// checks the file; nil when it does not exist and `flags` do not create it.
    static func open(_ path: String, _ flags: Int32) throws -> Int32? {
        let fd = Glibc.open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == ENOENT, flags & O_CREAT == 0 { return nil }
            if errno == ELOOP { throw JournalError.untrusted(path: path, problem: .symlink) }
            throw JournalError.io(path: path, operation: "open", errno: errno)
        }
        do {
            try check(fd: fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A regular file of the running user that nobody else may write; made exactly 0600 (one
    /// readable by others was made by an older mailshift; the umask may have cut a new one's bits).
    static func check(fd: Int32, path: String) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io(path: path, operation: "stat", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw JournalError.untrusted(path: path, problem: .wrongType) }
        try checkOwnership(info, path: path)
        if info.st_mode & 0o777 != 0o600, fchmod(fd, 0o600) != 0 {
            throw JournalError.io(path: path, operation: "chmod", errno: errno)
        }
    }

    /// Owned by the running user and not writable by group or others.
    static func checkOwnership(_ info: stat, path: String) throws {
        guard info.st_uid == geteuid() else {
            throw JournalError.untrusted(path: path, problem: .notOwned(uid: UInt32(info.st_uid)))
        }
        guard info.st_mode & 0o022 == 0 else {
            throw JournalError.untrusted(path: path, problem: .writableByOthers(mode: UInt32(info.st_mode)))
        }
    }
}
