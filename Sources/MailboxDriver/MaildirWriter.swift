import Foundation
import Glibc

/// Writes messages into a Maildir: `tmp/` → data durable → rename into `new/` or `cur/` →
/// directories durable, a batch at a time (DOMAIN.md section 3).
///
/// Where the file system supports it, a message is an unnamed `O_TMPFILE` inode opened in `tmp/`
/// and *linked* into `new/` or `cur/` once durable: one directory entry per message instead of a
/// create in `tmp/` plus a rename (two directory updates), which is most of what separated the
/// import from a plain `tar -x`. An unlinked inode vanishes by itself after a crash. Elsewhere it
/// falls back to a named `tmp/` file and `rename`.
///
/// Invariants: a file is visible in `new/` or `cur/` only once its bytes are durable (so a crash,
/// even a power loss, never exposes a partial message); `commit()` returns only when the renames
/// are durable too, so outputs journaled after it describe durable state. Batching replaces one
/// fsync per message (the slow way peers do it) with one `syncfs` and two directory fsyncs per
/// batch. Files are mode 0600 with mtime = the message date; owned by `owner` when running as root.
public final class MaildirWriter {
    public let root: String
    let owner: (uid: uid_t, gid: gid_t)?
    let batchMessages: Int
    let batchBytes: Int
    /// Our files already in `new/` and `cur/`, by tag.
    public private(set) var existing: [String: MaildirName] = [:]
    /// Finished messages not yet visible: an open unnamed inode (`fd >= 0`) or a named `tmp/` file.
    private var pending: [(fd: Int32, tmp: String, final: String)] = []
    /// Unnamed inodes held open in `pending`; a batch is committed before this exceeds `maxOpen`.
    private var openInodes = 0
    private let maxOpen = 256
    /// False once `O_TMPFILE` was refused here (then named files and renames).
    private var unnamed = true
    private var isUnnamed = false
    private let pid = getpid()
    private var pendingBytes = 0
    private var sequence = 0
    private var fd: Int32 = -1
    private var tmpPath = ""
    private var buffer: [UInt8] = []
    public private(set) var written = 0
    public private(set) var writtenBytes = 0

    public init(root: String, owner: (uid: uid_t, gid: gid_t)? = nil, batchMessages: Int = 512, batchBytes: Int = 64 << 20) throws {
        self.root = root
        self.owner = geteuid() == 0 ? owner : nil
        self.batchMessages = batchMessages
        self.batchBytes = batchBytes
        buffer.reserveCapacity(256 << 10)
        for dir in [root, root + "/tmp", root + "/new", root + "/cur"] {
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                if errno == ENOENT, (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil {
                    chmod(dir, 0o700)
                } else {
                    throw MboxError(.writeFailed, file: dir, offset: 0, detail: String(cString: strerror(errno)))
                }
            }
            if let o = self.owner { chown(dir, o.uid, o.gid) }
        }
        try cleanStaleTemporaries()
        existing = MaildirIndex.scan(root)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            if !isUnnamed { unlink(tmpPath) }
        }
        for p in pending where p.fd >= 0 { close(p.fd) }
    }

    /// Removes `tmp/` files left by a mailshift process that no longer runs (a killed import).
    private func cleanStaleTemporaries() throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/tmp")) ?? [] where name.hasPrefix("mailshift-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = pid_t(parts[1]) else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) { unlink("\(root)/tmp/\(name)") }
        }
    }

    public func contains(tag: String) -> Bool { existing[tag] != nil }

    /// Starts a message in `tmp/`.
    public func begin() throws {
        sequence += 1
        if unnamed {
            tmpPath = "\(root)/tmp"
            fd = open(tmpPath, Self.oTmpfile | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 {
                isUnnamed = true
                return
            }
            // EOPNOTSUPP, EISDIR (a kernel without it), EINVAL: named files from now on.
            unnamed = false
        }
        isUnnamed = false
        tmpPath = "\(root)/tmp/mailshift-\(pid)-\(sequence)"
        fd = open(tmpPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(tmpPath) }
    }

    /// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`): Glibc defines it only under `_GNU_SOURCE`.
    static let oTmpfile: Int32 = 0o20_000_000 | O_DIRECTORY
    /// `AT_EMPTY_PATH`, likewise GNU-only.
    static let atEmptyPath: Int32 = 0x1000

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > buffer.capacity { try flushBuffer() }
        if bytes.count >= buffer.capacity { try writeAll(bytes) } else { buffer.append(contentsOf: bytes) }
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ p: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < p.count {
            let n = Glibc.write(fd, p.baseAddress! + done, p.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure(tmpPath) }
            done += n
        }
    }

    /// Ends the message: sets its date and owner and queues its rename under `name`.
    public func finish(_ name: MaildirName) throws {
        try flushBuffer()
        var times = [timespec(tv_sec: name.date, tv_nsec: 0), timespec(tv_sec: name.date, tv_nsec: 0)]
        guard futimens(fd, &times) == 0 else { throw failure(tmpPath) }
        if let o = owner, fchown(fd, o.uid, o.gid) != 0 { throw failure(tmpPath) }
        let final = "\(root)/\(name.subdirectory)/\(name.fileName)"
        if isUnnamed {
            // Kept open until linked: the inode has no name yet.
            pending.append((fd, "", final))
            openInodes += 1
        } else {
            close(fd)
            pending.append((-1, tmpPath, final))
        }
        fd = -1
        existing[name.tag] = name
        pendingBytes += name.size
        written += 1
        writtenBytes += name.size
        if pending.count >= batchMessages || pendingBytes >= batchBytes || openInodes >= maxOpen { try commit() }
    }

    /// Abandons the message being written.
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        buffer.removeAll(keepingCapacity: true)
        if !isUnnamed { unlink(tmpPath) }
    }

    /// Makes the batch durable: data, then renames, then the directories.
    public func commit() throws {
        guard !pending.isEmpty else { return }
        let dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { throw failure(root) }
        defer { close(dirfd) }
        guard FileSystemSync.sync(dirfd) else { throw failure(root) }
        for (i, p) in pending.enumerated() {
            if p.fd >= 0 {
                try link(p.fd, to: p.final)
                close(p.fd)
                pending[i].fd = -1
                openInodes -= 1
            } else {
                guard rename(p.tmp, p.final) == 0 else { throw failure(p.final) }
            }
        }
        for sub in ["new", "cur"] {
            let d = open("\(root)/\(sub)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard d >= 0 else { throw failure("\(root)/\(sub)") }
            defer { close(d) }
            guard fsync(d) == 0 else { throw failure("\(root)/\(sub)") }
        }
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }

    /// Gives an unnamed inode its name. `AT_EMPTY_PATH` needs CAP_DAC_READ_SEARCH; without it the
    /// `/proc/self/fd` link does the same. An existing file of that name is the same message
    /// (names are derived from the content), written by an earlier run: nothing to do.
    private func link(_ fd: Int32, to path: String) throws {
        if linkat(fd, "", AT_FDCWD, path, Self.atEmptyPath) == 0 { return }
        if errno == EEXIST { return }
        if errno == ENOENT || errno == EPERM || errno == EINVAL {
            if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 || errno == EEXIST { return }
        }
        throw failure(path)
    }

    private func failure(_ path: String) -> MboxError {
        MboxError(.writeFailed, file: path, offset: 0, detail: String(cString: strerror(errno)))
    }
}
