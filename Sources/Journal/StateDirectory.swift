import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The rules a state directory must meet before mailshift reads or writes a journal in it.
///
/// A journal decides what a root-run migration does next (a source is retired once its verify
/// is journaled as passed), so only the running user may be able to change it:
/// - the directory is no symbolic link, is owned by the running user and writable by nobody else;
/// - every directory above it is owned by that user or root and writable by nobody else unless
///   sticky (as `/tmp`): otherwise its owner could rename ours away and put theirs in its place;
/// - mailshift makes it 0700 (mkdir, then fchmod: the umask plays no part) and tightens an older,
///   world-readable one to 0700, since the journal holds users' previous `.forward` files.
enum StateDirectory {
    /// Makes `path` and its missing parents (each 0700) and checks it.
    static func create(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") where component != "." {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            guard mkdir(prefix, 0o700) == 0 else {
                if errno == EEXIST { continue }
                throw JournalError.io(path: prefix, operation: "mkdir", errno: errno)
            }
            let fd = open(prefix, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw JournalError.io(path: prefix, operation: "open", errno: errno) }
            defer { close(fd) }
            guard fchmod(fd, 0o700) == 0 else { throw JournalError.io(path: prefix, operation: "chmod", errno: errno) }
        }
        guard try verify(path) else { throw JournalError.io(path: path, operation: "mkdir", errno: ENOENT) }
    }

    /// Checks an existing state directory (tightening a readable one to 0700); false when there
    /// is none.
    @discardableResult
    static func verify(_ path: String) throws -> Bool {
        var link = stat()
        guard lstat(path, &link) == 0 else {
            if errno == ENOENT { return false }
            throw JournalError.io(path: path, operation: "stat", errno: errno)
        }
        if link.st_mode & S_IFMT == S_IFLNK { throw JournalError.untrusted(path: path, problem: .symlink) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw JournalError.untrusted(path: path, problem: .symlink) }
            if errno == ENOTDIR { throw JournalError.untrusted(path: path, problem: .wrongType) }
            throw JournalError.io(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io(path: path, operation: "stat", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw JournalError.untrusted(path: path, problem: .wrongType) }
        try PrivateFile.checkOwnership(info, path: path)
        if info.st_mode & 0o777 != 0o700, fchmod(fd, 0o700) != 0 {
            throw JournalError.io(path: path, operation: "chmod", errno: errno)
        }
        try verifyAncestors(of: path)
        return true
    }

    /// Every directory above `path` (links resolved) must be changeable by the running user or
    /// root alone, or be sticky.
    private static func verifyAncestors(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard let resolved = realpath(parent.isEmpty ? "." : parent, nil) else {
            throw JournalError.io(path: parent, operation: "realpath", errno: errno)
        }
        var current = String(cString: resolved)
        free(resolved)
        while true {
            var info = stat()
            guard stat(current, &info) == 0 else { throw JournalError.io(path: current, operation: "stat", errno: errno) }
            let ownerOK = info.st_uid == 0 || info.st_uid == geteuid()
            let othersMayWrite = info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0
            if !ownerOK || othersMayWrite {
                throw JournalError.untrusted(path: path, problem: .unsafeAncestor(
                    path: current, mode: UInt32(info.st_mode), uid: UInt32(info.st_uid)))
            }
            if current == "/" { return }
            let up = (current as NSString).deletingLastPathComponent
            current = up.isEmpty ? "/" : up
        }
    }
}
