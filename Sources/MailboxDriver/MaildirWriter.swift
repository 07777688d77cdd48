import Foundation
import Glibc

/// Writes messages into a Maildir: `tmp/` → data durable → rename into `new/` or `cur/` →
/// directories durable, a batch at a time (DOMAIN.md section 3).
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
    private var pending: [(tmp: String, final: String)] = []
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

    deinit { if fd >= 0 { close(fd); unlink(tmpPath) } }

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
        tmpPath = "\(root)/tmp/mailshift-\(getpid())-\(sequence)"
        fd = open(tmpPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(tmpPath) }
    }

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
        close(fd)
        fd = -1
        pending.append((tmpPath, "\(root)/\(name.subdirectory)/\(name.fileName)"))
        existing[name.tag] = name
        pendingBytes += name.size
        written += 1
        writtenBytes += name.size
        if pending.count >= batchMessages || pendingBytes >= batchBytes { try commit() }
    }

    /// Abandons the message being written.
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        buffer.removeAll(keepingCapacity: true)
        unlink(tmpPath)
    }

    /// Makes the batch durable: data, then renames, then the directories.
    public func commit() throws {
        guard !pending.isEmpty else { return }
        let dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { throw failure(root) }
        defer { close(dirfd) }
        guard FileSystemSync.sync(dirfd) else { throw failure(root) }
        for (tmp, final) in pending {
            guard rename(tmp, final) == 0 else { throw failure(final) }
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

    private func failure(_ path: String) -> MboxError {
        MboxError(.writeFailed, file: path, offset: 0, detail: String(cString: strerror(errno)))
    }
}
