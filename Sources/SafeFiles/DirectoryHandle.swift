import Glibc

/// An open directory reached without following anyone's symbolic links (see `DirectoryWalk`).
/// Everything under it is opened, created, linked and removed relative to the descriptor, so a
/// name swapped for a link after the walk is never followed either.
public final class DirectoryHandle: @unchecked Sendable {
    /// Open for the handle's life; read-only (the descriptor is only an anchor for `*at` calls).
    public let fd: Int32
    /// The path it was reached by, for messages.
    public let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// The path of `name` inside this directory, for messages.
    public func path(of name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// The directory's status now.
    public func status() throws -> stat {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileRefusal.system(path, "cannot stat") }
        return st
    }

    /// Refuses unless the directory belongs to `owner` (a Maildir must be its user's).
    public func requireOwner(_ owner: FileOwner) throws {
        let st = try status()
        guard st.st_uid == owner.uid else {
            throw FileRefusal(
                path, "is owned by uid \(st.st_uid), not by uid \(owner.uid) it is for",
                hint: "a directory someone else owns is never written into as root; move it aside or fix its owner")
        }
    }

    /// Opens the subdirectory `name` (never through a link); nil when it does not exist.
    public func subdirectory(_ name: String) throws -> DirectoryHandle? {
        try Self.checkName(name, in: self)
        let d = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if d >= 0 { return DirectoryHandle(fd: d, path: path(of: name)) }
        let e = errno
        if e == ENOENT { return nil }
        throw refusal(name, e, opening: "directory")
    }

    /// Opens the subdirectory `name`, creating it with exactly `mode` and `owner` when missing
    /// (mode and owner are set on the descriptor, so neither the umask nor a rename between
    /// mkdir and chown decides them). Returns whether this call created it.
    public func makeSubdirectory(_ name: String, mode: mode_t, owner: FileOwner) throws -> (DirectoryHandle, created: Bool) {
        try Self.checkName(name, in: self)
        var made = false
        if mkdirat(fd, name, 0o700) == 0 {
            made = true
        } else if errno != EEXIST {
            throw FileRefusal.system(path(of: name), "cannot create the directory")
        }
        guard let d = try subdirectory(name) else { throw FileRefusal(path(of: name), "vanished while being created", errorNumber: ENOENT) }
        // Created by us only if still ours: a user who swapped in their own directory does not
        // get it chmod'ed or chown'ed, and the caller's owner check decides about it.
        let st = try d.status()
        let ours = made && st.st_uid == geteuid()
        if ours {
            guard fchmod(d.fd, mode) == 0 else { throw FileRefusal.system(d.path, "cannot chmod") }
            if geteuid() == 0, fchown(d.fd, owner.uid, owner.gid) != 0 {
                throw FileRefusal.system(d.path, "cannot chown to \(owner)")
            }
        }
        return (d, ours)
    }

    /// Creates the file `name` (it must not exist, and is never a link), mode exactly `mode`,
    /// owned by `owner` when running as root. Returns its write descriptor.
    public func createFile(_ name: String, mode: mode_t, owner: FileOwner?) throws -> Int32 {
        try Self.checkName(name, in: self)
        let f = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard f >= 0 else { throw refusal(name, errno, opening: "file") }
        do {
            try Self.settle(f, mode: mode, owner: owner, path: path(of: name))
        } catch {
            close(f)
            unlinkat(fd, name, 0)
            throw error
        }
        return f
    }

    /// Sets a new file's mode and owner on its descriptor.
    public static func settle(_ f: Int32, mode: mode_t, owner: FileOwner?, path: String) throws {
        guard fchmod(f, mode) == 0 else { throw FileRefusal.system(path, "cannot chmod") }
        if let owner, geteuid() == 0, fchown(f, owner.uid, owner.gid) != 0 {
            throw FileRefusal.system(path, "cannot chown to \(owner)")
        }
    }

    /// Opens the regular file `name` for reading: never a link, never a device or FIFO (opened
    /// non-blocking, then checked), and with `singleLink` refused when it has other names (a hard
    /// link to someone else's file). nil when it does not exist.
    public func openRegularFile(_ name: String, singleLink: Bool, flags: Int32 = O_RDONLY) throws -> (fd: Int32, status: stat)? {
        try Self.checkName(name, in: self)
        let f = openat(fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if f < 0 {
            let e = errno
            if e == ENOENT { return nil }
            throw refusal(name, e, opening: "file")
        }
        var st = stat()
        do {
            guard fstat(f, &st) == 0 else { throw FileRefusal.system(path(of: name), "cannot stat") }
            guard (st.st_mode & S_IFMT) == S_IFREG else { throw FileRefusal(path(of: name), "is not a regular file") }
            if singleLink && st.st_nlink != 1 {
                throw FileRefusal(
                    path(of: name), "has \(st.st_nlink) hard links; mailshift reads only a file with one name",
                    hint: "a hard link can point at another user's file; copy the file instead of linking it")
            }
            // Back to blocking reads (the non-blocking open only kept a FIFO from hanging us).
            _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK)
        } catch {
            close(f)
            throw error
        }
        return (f, st)
    }

    /// The kind of `name` without following it; nil when absent.
    public func kind(of name: String) throws -> mode_t? {
        try Self.checkName(name, in: self)
        var st = stat()
        if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 { return st.st_mode & S_IFMT }
        if errno == ENOENT { return nil }
        throw FileRefusal.system(path(of: name), "cannot stat")
    }

    /// Removes the file `name` (a link is removed, never followed); absent is fine.
    public func removeFile(_ name: String) throws {
        try Self.checkName(name, in: self)
        if unlinkat(fd, name, 0) != 0 && errno != ENOENT { throw FileRefusal.system(path(of: name), "cannot remove") }
    }

    /// Removes the subdirectory `name` when empty (best effort: it may hold someone's files).
    public func removeEmptySubdirectory(_ name: String) {
        unlinkat(fd, name, AT_REMOVEDIR)
    }

    /// Names in the directory (`.` and `..` left out).
    public func names() throws -> [String] {
        let d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard d >= 0, let dir = fdopendir(d) else { throw FileRefusal.system(path, "cannot list") }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// Makes the directory's entries durable.
    public func sync() throws {
        guard fsync(fd) == 0 else { throw FileRefusal.system(path, "cannot fsync") }
    }

    /// A refusal for an `openat` that failed with `e`: a link (`ELOOP`, or `ENOTDIR` for a link
    /// opened as a directory) is named as one.
    func refusal(_ name: String, _ e: Int32, opening what: String) -> FileRefusal {
        if e == ELOOP || e == ENOTDIR || e == EMLINK {
            var st = stat()
            if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                if (st.st_mode & S_IFMT) == S_IFLNK { return .symbolicLink(path(of: name)) }
                if e == ENOTDIR { return FileRefusal(path(of: name), "is not a directory", errorNumber: e) }
            }
        }
        return .system(path(of: name), "cannot open the \(what)", e)
    }

    /// One path component: no `/`, not `.` or `..`, not empty.
    static func checkName(_ name: String, in dir: DirectoryHandle) throws {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.utf8.contains(0) else {
            throw FileRefusal(dir.path(of: name), "is not a single path component")
        }
    }
}
