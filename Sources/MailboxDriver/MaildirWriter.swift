import Foundation
import Glibc
import SafeFiles
import SystemCalls

/// Writes messages into a Maildir, a batch at a time: each message is staged (an unnamed
/// `O_TMPFILE` inode in `new/`, or a file in `tmp/` where the file system has no `O_TMPFILE`),
/// then a `DurablePublisher` makes the batch's bytes durable with one `syncfs` and links (or
/// renames) its messages into `new/` or `cur/` (DOMAIN.md section 3).
///
/// Invariants: a file is visible in `new/` or `cur/` only once its bytes are durable (so a crash,
/// even a power loss, never exposes a partial message); `commit()` returns only when every link
/// is durable too, so outputs journaled after it describe durable state. Batching replaces one
/// fsync per message (the slow way peers do it) with one `syncfs` per batch, and the publisher
/// flushes while the writer goes on. Unnamed staging saves the `tmp/` entry and the rename (a
/// third of the import's kernel time on ext4), and a crash leaves no `tmp/` file.
///
/// With `hold`, nothing is published until `release()` or `commit()` (an import holds until its
/// source has parsed whole, so a damaged mailbox leaves nothing visible); held bytes are still
/// flushed early, every quarter batch, so the disk works while the source is read. Files are mode
/// 0600 with mtime = the message date; owned by `owner` when running as root. The Maildir is
/// opened through `MaildirDirectories` (no link followed, owner checked, modes explicit) and
/// every file is created, linked and renamed relative to its directory descriptors.
public final class MaildirWriter {
    /// Where messages wait until their batch is durable.
    public enum Staging: Sendable {
        /// Unnamed inodes when the file system supports them, else `tmp/`.
        case automatic
        /// Always `tmp/` files and renames (the classic Maildir delivery).
        case temporaryFiles
    }

    public let root: String
    let owner: FileOwner?
    let batchMessages: Int
    let batchBytes: Int
    /// Our files in `new/` and `cur/` when the writer opened (what it writes is not added: a
    /// source names each message once, and the map would grow with every message).
    public private(set) var existing = MaildirPresence()
    /// True when messages are staged as unnamed inodes (false: `tmp/` files).
    public let stagesUnnamed: Bool
    private let directories: MaildirDirectories
    private var rootFD: Int32 { directories.root.fd }
    private let publisher: DurablePublisher
    private var staged: [StagedMessage] = []
    private var stagedBytes = 0
    /// The batch the publisher is flushing while this one fills (at most one: bounds descriptors).
    private var inFlight: DurablePublisher.Ticket?
    /// True while staged messages must not be published: the source is not validated yet.
    public private(set) var holding: Bool
    let holdMessages: Int
    let holdBytes: Int
    /// The message being written is an unnamed inode (false: a `tmp/` file).
    private var currentUnnamed = false
    /// Messages handed to the publisher so far.
    private var handedOff = 0
    /// A flush of held messages' bytes (nothing linked), so the disk works while the source is
    /// still being read: publishing them later finds little left to write.
    private var earlyFlush: DurablePublisher.Ticket?
    private var sequence = 0
    private var fd: Int32 = -1
    /// The message being written: its name in `tmp/` (a named one) and its path, for messages.
    private var tmpName = ""
    private var tmpPath = ""
    private var buffer: [UInt8] = []
    public private(set) var written = 0
    public private(set) var writtenBytes = 0

    public init(
        root: String, owner: (uid: uid_t, gid: gid_t)? = nil, batchMessages: Int = 1024, batchBytes: Int = 64 << 20,
        staging: Staging = .automatic, hold: Bool = false, scanExisting: Bool = true
    ) throws {
        self.root = root
        self.owner = geteuid() == 0 ? owner.map { FileOwner(uid: $0.uid, gid: $0.gid) } : nil
        self.batchMessages = batchMessages
        self.batchBytes = batchBytes
        holding = hold
        holdMessages = 4 * batchMessages
        holdBytes = 2 * batchBytes
        buffer.reserveCapacity(256 << 10)
        directories = try MaildirDirectories(path: root, owner: self.owner ?? .process)
        publisher = DurablePublisher.forFileSystem(of: directories.root.fd)
        stagesUnnamed = staging == .automatic && UnnamedStaging.works(new: directories.new.fd, tmp: directories.tmp.fd)
        if stagesUnnamed { DescriptorLimit.raise() }
        try cleanStaleTemporaries()
        // A caller that lists the Maildir itself (the pre-copy delta) does not need this one.
        if scanExisting { existing = MaildirPresence(scanning: root) }
    }

    /// `new` and `cur`, as this writer opened them (walked, never through a link).
    var deliveryDirectories: (new: DirectoryHandle, cur: DirectoryHandle) { (directories.new, directories.cur) }

    deinit {
        discard()
        abandonStaged()
        // A batch in flight holds whole, correct messages: let it land (it uses our descriptors).
        if let t = inFlight { try? publisher.wait(t) }
        if let t = earlyFlush { try? publisher.wait(t) }
    }

    /// Removes `tmp/` files left by a mailshift process that no longer runs (a killed import).
    private func cleanStaleTemporaries() throws {
        for name in try directories.tmp.names() where name.hasPrefix("mailshift-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = pid_t(parts[1]) else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) { try directories.tmp.removeFile(name) }
        }
    }

    public func contains(tag: String) -> Bool { existing.contains(tag: tag) }

    /// Starts a message (unnamed, or in `tmp/`).
    public func begin() throws {
        if stagesUnnamed {
            tmpPath = root + "/new"
            fd = UnnamedStaging.open(in: directories.new.fd)
            if fd < 0 && (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: free the staged ones (parked in tmp/ while holding, else
                // published), then go on.
                if holding { try parkStaged() } else { try commitStaged() }
                fd = UnnamedStaging.open(in: directories.new.fd)
            }
            currentUnnamed = true
        } else {
            sequence += 1
            tmpName = "mailshift-\(getpid())-\(sequence)"
            tmpPath = "\(root)/tmp/\(tmpName)"
            // Exclusive and never through a link: the name is predictable and `tmp/` is the user's.
            unlinkat(directories.tmp.fd, tmpName, 0)
            fd = openat(directories.tmp.fd, tmpName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            currentUnnamed = false
        }
        guard fd >= 0 else { throw failure(tmpPath) }
    }

    /// Gives each held unnamed message a name in `tmp/` and closes it: still invisible, and it
    /// no longer holds a descriptor. Publishing renames it like any `tmp/` file.
    private func parkStaged() throws {
        for i in staged.indices {
            guard case .unnamed(let f) = staged[i].body else { continue }
            sequence += 1
            let parked = "mailshift-\(getpid())-\(sequence)"
            guard UnnamedStaging.link(f, directories.tmp.fd, parked) == 0 else { throw failure("\(root)/tmp/\(parked)") }
            close(f)
            staged[i].body = .named(tmp: parked)
        }
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
        do {
            try Descriptor.writeAll(fd, p)
        } catch {
            throw failure(tmpPath, error.code)
        }
    }

    /// Ends the message: sets its date and owner and queues its rename under `name`.
    public func finish(_ name: MaildirName) throws {
        try flushBuffer()
        var times = [timespec(tv_sec: name.date, tv_nsec: 0), timespec(tv_sec: name.date, tv_nsec: 0)]
        guard futimens(fd, &times) == 0 else { throw failure(tmpPath) }
        // Explicit, whatever the umask; the owner's, so the user (and their IMAP server) can read it.
        guard fchmod(fd, 0o600) == 0 else { throw failure(tmpPath) }
        if let o = owner, fchown(fd, o.uid, o.gid) != 0 { throw failure(tmpPath) }
        let final = "\(root)/\(name.subdirectory)/\(name.fileName)"
        let body: StagedMessage.Body = currentUnnamed ? .unnamed(fd: fd) : .named(tmp: tmpName)
        if !currentUnnamed { close(fd) }
        staged.append(StagedMessage(
            body: body, tmpDirectory: directories.tmp.fd, directory: directories.subdirectory(name.subdirectory).fd,
            name: name.fileName, final: final))
        fd = -1
        stagedBytes += name.size
        written += 1
        writtenBytes += name.size
        if !holding && (staged.count >= batchMessages || stagedBytes >= batchBytes) { try handOff() }
        if !staged.isEmpty && staged.count % max(1, batchMessages / 4) == 0 && earlyFlush.map(publisher.isDone) ?? true {
            earlyFlush = publisher.submit(anchor: rootFD, [])
        }
    }

    /// Whether the held messages reached the hold limit (4 batches): the caller must validate
    /// the rest of its source and `release()` before writing more.
    public var holdIsFull: Bool { holding && (staged.count >= holdMessages || stagedBytes >= holdBytes) }

    /// Ends the hold: the staged messages may now be published (their source validated).
    public func release() throws {
        holding = false
        if staged.count >= batchMessages || stagedBytes >= batchBytes { try handOff() }
    }

    /// After a failed import: drops the message being written and every staged message not yet
    /// handed to the publisher (unnamed ones vanish, `tmp/` ones are removed), and when nothing
    /// was published, the directories this writer created (only while empty), so a damaged source
    /// leaves no trace in the store.
    public func abandon() {
        discard()
        abandonStaged()
        guard handedOff == 0 else { return }
        directories.abandon()
    }

    private func abandonStaged() {
        staged.forEach { $0.discard() }
        staged.removeAll()
        stagedBytes = 0
    }

    /// Abandons the message being written.
    public func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        buffer.removeAll(keepingCapacity: true)
        if !currentUnnamed { unlinkat(directories.tmp.fd, tmpName, 0) }
    }

    /// Gives the full batch to the publisher and goes on (after the previous batch is through).
    private func handOff() throws {
        if let t = inFlight {
            inFlight = nil
            try publisher.wait(t)
        }
        inFlight = publisher.submit(anchor: rootFD, staged)
        handedOff += staged.count
        staged.removeAll(keepingCapacity: true)
        stagedBytes = 0
    }

    /// Publishes every staged message and waits until they are all visible (links not yet durable).
    private func commitStaged() throws {
        if !staged.isEmpty { try handOff() }
        if let t = inFlight {
            inFlight = nil
            try publisher.wait(t)
        }
    }

    /// Makes everything written so far durable and visible: the last batches' bytes, their
    /// links, and the directories.
    public func commit() throws {
        holding = false
        if let t = earlyFlush {
            earlyFlush = nil
            try publisher.wait(t)
        }
        guard inFlight != nil || !staged.isEmpty else { return }
        try commitStaged()
        try directories.new.sync()
        try directories.cur.sync()
    }

    private func failure(_ path: String, _ code: Int32 = errno) -> MboxError {
        MboxError(.writeFailed, file: path, offset: 0, detail: String(cString: strerror(code)))
    }
}
