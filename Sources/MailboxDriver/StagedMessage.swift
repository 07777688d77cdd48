import Glibc

/// A message whose bytes are written but which is not visible in `new/` or `cur/` yet.
///
/// Names are relative to the Maildir's directory descriptors (held open by its writer until
/// every batch is through), so publishing never resolves a path a user could have re-pointed.
struct StagedMessage {
    enum Body {
        /// An unnamed inode (`O_TMPFILE`), still open: linked into place, or gone with its last
        /// descriptor (a crash leaves nothing behind, not even in `tmp/`).
        case unnamed(fd: Int32)
        /// A file in `tmp/` (file systems without `O_TMPFILE`): renamed into place.
        case named(tmp: String)
    }

    var body: Body
    /// `tmp/`, `new/` or `cur/` and the file's name there.
    var tmpDirectory: Int32
    var directory: Int32
    var name: String
    /// Its path in `new/` or `cur/`, for messages.
    var final: String

    /// Makes it visible under `name`. Only called once its bytes are durable.
    func publish() -> MboxError? {
        switch body {
        case .unnamed(let fd):
            defer { close(fd) }
            // The name is deterministic: a file already there is this very message.
            if UnnamedStaging.link(fd, directory, name) == 0 || errno == EEXIST { return nil }
        case .named(let tmp):
            if renameat(tmpDirectory, tmp, directory, name) == 0 { return nil }
        }
        return MboxError(.writeFailed, file: final, offset: 0, detail: String(cString: strerror(errno)))
    }

    /// Makes its bytes durable on their own (`fsync`): for a few messages, cheaper than a
    /// `syncfs` that must also write whatever else is dirty on the file system.
    func sync() -> Bool {
        switch body {
        case .unnamed(let fd): return fsync(fd) == 0
        case .named(let tmp):
            let fd = openat(tmpDirectory, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return fsync(fd) == 0
        }
    }

    /// Abandons it: the unnamed inode is freed, the `tmp/` file removed.
    func discard() {
        switch body {
        case .unnamed(let fd): close(fd)
        case .named(let tmp): unlinkat(tmpDirectory, tmp, 0)
        }
    }
}
