import SystemCalls

/// Opening the files of a state directory: never through a symbolic link, never inherited by a
/// child, created 0600, and refused when someone else could have written them.
enum PrivateFile {
    /// Opens `path` with `flags` (plus O_NOFOLLOW and O_CLOEXEC; created 0600 with O_CREAT) and
    /// checks the file; nil when it does not exist and `flags` do not create it.
    static func open(_ path: String, _ flags: OpenFlags) throws -> Int32? {
        let fd: Int32
        do throws(Errno) {
            fd = try Descriptor.open(path, flags.union([.noFollow, .closeOnExec]), mode: 0o600)
        } catch {
            if error == .noSuchFile, !flags.contains(.create) { return nil }
            if error == .symbolicLinkLoop { throw JournalError.untrusted(path: path, problem: .symlink) }
            throw JournalError.io(path: path, operation: "open", errno: error.code)
        }
        do {
            try check(fd: fd, path: path)
        } catch {
            Descriptor.close(fd)
            throw error
        }
        return fd
    }

    /// A regular file of the running user that nobody else may write; made exactly 0600 (one
    /// readable by others was made by an older mailshift; the umask may have cut a new one's bits).
    static func check(fd: Int32, path: String) throws {
        let info = try status(fd: fd, path: path)
        guard info.kind == .regular else { throw JournalError.untrusted(path: path, problem: .wrongType) }
        try checkOwnership(info, path: path)
        if info.mode & 0o777 != 0o600 { try changeMode(fd: fd, to: 0o600, path: path) }
    }

    /// Owned by the running user and not writable by group or others.
    static func checkOwnership(_ info: FileStatus, path: String) throws {
        guard info.owner == ProcessIdentity.effectiveUser else {
            throw JournalError.untrusted(path: path, problem: .notOwned(uid: info.owner))
        }
        guard info.mode & 0o022 == 0 else {
            throw JournalError.untrusted(path: path, problem: .writableByOthers(mode: info.mode))
        }
    }

    /// `fstat` of `fd`, its failure a journal error naming `path`.
    static func status(fd: Int32, path: String) throws -> FileStatus {
        do throws(Errno) {
            return try FileStatus.of(descriptor: fd)
        } catch {
            throw JournalError.io(path: path, operation: "stat", errno: error.code)
        }
    }

    /// `fchmod` of `fd`, its failure a journal error naming `path`.
    static func changeMode(fd: Int32, to mode: UInt32, path: String) throws {
        do throws(Errno) {
            try Descriptor.changeMode(fd, mode)
        } catch {
            throw JournalError.io(path: path, operation: "chmod", errno: error.code)
        }
    }
}
