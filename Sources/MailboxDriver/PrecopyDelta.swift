import Digest
import Glibc
import SafeFiles
import SystemCalls

/// What the window's delta did to the store besides storing new messages.
public struct PrecopyDeltaReport: Sendable, Hashable, Codable {
    /// Files removed: their message was deleted on the legacy host since the pre-copy.
    public var removed = 0
    /// Files renamed to their message's new tag: a message that moved in the mailbox (one
    /// before it was expunged, the file compacted) is kept, not copied again.
    public var renamed = 0
    /// Files renamed for new flags (Status / X-Status changed on the legacy host).
    public var flagged = 0
    /// Files left as they are because they changed in the new store since the pre-copy (or the
    /// ledger could not be trusted): verify reports any that no longer match the source.
    public var kept = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case removed = "delta_removed", renamed = "delta_renamed", flagged = "delta_flagged", kept = "delta_kept"
    }
}

/// The window's side of a pre-copy, in one read of the mailbox: reconcile the store with the
/// mailbox as it stands now, message by message, and store what is new.
///
/// Each message is named as an import would name it. A file with its tag is the message already
/// stored (renamed when its flags changed). A message without one is matched by its header hash,
/// digest and size to a stored file whose tag no longer fits (a message before it was expunged,
/// so its byte offset moved): that file is renamed, not copied again. Anything else is written.
/// Files no message claims are removed. Only files the ledger names (mailshift wrote them and no
/// one renamed them since) are renamed or removed; renames never replace a file.
///
/// Nothing changes unless the whole mailbox parsed: renames and removals come after the read,
/// and the writer holds new messages back as the import does. Re-running after a crash finds the
/// renames and removals done (renamed files carry their final names). A message whose file was
/// claimed twice (two messages with the same headers, a rare case) is left to a plain import
/// afterwards, which stores whatever is still missing.
public enum PrecopyDelta {
    public static func run(file: String, maildir: String, options: MboxImportOptions, ledger: PrecopyLedger?)
        throws -> (delta: PrecopyDeltaReport, imported: MboxImportReport)
    {
        let lock = options.lock ? try SpoolLock(mbox: file, timeout: options.lockTimeout) : nil
        defer { lock?.unlock() }
        let reader = try MboxReader(path: file, variant: options.variant, timeZone: options.timeZone, ifAmbiguous: options.ifAmbiguous)
        // The writer first: it makes `new` and `cur`, which a rename for flags may need.
        let writer = try MaildirWriter(
            root: maildir, owner: options.owner, batchMessages: options.batchMessages, staging: options.staging, hold: true,
            scanExisting: false)
        let store = try StoreListing(writer.deliveryDirectories, prefix: options.tagPrefix, ledger: ledger)
        var consumer = DeltaConsumer(store: store, writer: writer, prefix: options.tagPrefix)
        let variant = reader.variant
        consumer.validateSource = {
            var whole = MboxTally()
            try MboxReader(path: file, variant: variant, timeZone: options.timeZone).read(into: &whole)
        }
        var delta = PrecopyDeltaReport()
        do {
            try reader.read(into: &consumer)
            delta = try consumer.reconcile()
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        var report = MboxImportReport(
            file: file, maildir: maildir, variant: reader.variant.rawValue, detected: reader.detected,
            messages: consumer.tally.messages, bytes: consumer.tally.bytes, imported: writer.written, importedBytes: writer.writtenBytes,
            present: consumer.tally.messages - writer.written - consumer.leftOver, duplicates: 0,
            skippedInternal: reader.skippedInternal, warningCount: reader.warningCount, warnings: reader.warnings.map(\.description),
            digestSummary: consumer.summary.finalize().hexString, source: reader.identity.description,
            firstDate: consumer.tally.firstDate, lastDate: consumer.tally.lastDate)
        if consumer.leftOver > 0 {
            // The spool lock is ours already: the import must not wait for it.
            var unlocked = options
            unlocked.lock = false
            let rest = try MboxImport.run(file: file, maildir: maildir, options: unlocked)
            let written = report.imported + rest.imported, writtenBytes = report.importedBytes + rest.importedBytes
            report = rest
            report.imported = written
            report.importedBytes = writtenBytes
        }
        return (delta, report)
    }
}

/// Our files in `new` and `cur` as the window found them, indexed by tag and by header hash.
struct StoreListing {
    struct File {
        var subdirectory: String
        /// The name as listed (what renames and removals use).
        var listed: String
        var name: MaildirName
        var inLedger: Bool
        var claimed = false
    }

    var files: [File] = []
    var byTag: [String: Int] = [:]
    /// Files by the header hash of their tag (`m<offset>-<hash>`), for messages that moved.
    var byHeaderHash: [Substring: [Int]] = [:]
    var dirs: [String: DirectoryHandle] = [:]
    var kept = 0

    /// Lists `new` and `cur` through the writer's descriptors: one walk of the Maildir per delta.
    init(_ directories: (new: DirectoryHandle, cur: DirectoryHandle), prefix: String, ledger: PrecopyLedger?) throws {
        dirs = ["new": directories.new, "cur": directories.cur]
        for sub in ["new", "cur"] {
            guard let dir = dirs[sub] else { continue }
            for n in try dir.names() {
                guard let name = MaildirName(fileName: n), MessageTag.isOurs(name.tag, prefix: prefix) else { continue }
                let i = files.count
                files.append(File(subdirectory: sub, listed: n, name: name, inLedger: ledger?.contains(n) == true))
                if byTag[name.tag] == nil { byTag[name.tag] = i }  // a second file with a tag is unclaimed: removed if ours
                if let dash = name.tag.lastIndex(of: "-") { byHeaderHash[name.tag[name.tag.index(after: dash)...], default: []].append(i) }
            }
        }
    }

    /// Renames file `i` to `target` in its subdirectory; false when that name is taken already.
    func move(_ i: Int, to target: MaildirName) throws -> Bool {
        let f = files[i]
        guard let from = dirs[f.subdirectory] else { return false }
        guard let to = dirs[target.subdirectory] else {
            throw FileRefusal(from.path(of: f.listed), "cannot rename it: the Maildir has no \(target.subdirectory)/")
        }
        do {
            try Descriptor.renameNoReplace(from.fd, f.listed, to.fd, target.fileName)
            return true
        } catch let e where e.code == EEXIST {
            return false
        } catch {
            throw FileRefusal(from.path(of: f.listed), "cannot rename to \(target.fileName): \(error)")
        }
    }

    func remove(_ i: Int) throws {
        try dirs[files[i].subdirectory]?.removeFile(files[i].listed)
    }
}

/// Reads the mailbox once: names every message, writes the new ones, and plans the renames.
struct DeltaConsumer: MboxConsumer {
    var store: StoreListing
    let writer: MaildirWriter
    let prefix: String
    var validateSource: (() throws -> Void)?
    var tally = MboxTally()
    var summary = SHA256()
    /// Messages matched to no file and not written (their file was claimed already): a plain
    /// import stores them afterwards.
    var leftOver = 0
    private var renames: [(file: Int, to: MaildirName, flagsOnly: Bool)] = []
    private var tag = ""
    private var digest = MessageKey()
    private var writing = false

    init(store: StoreListing, writer: MaildirWriter, prefix: String) {
        self.store = store
        self.writer = writer
        self.prefix = prefix
    }

    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        _ = try tally.begin(head, headers: headers)
        tag = MessageTag.make(prefix, offset: head.offset, headers: headers)
        digest = MessageKey()
        digest.update(headers)
        // Written now unless a stored file may be this message (by tag, or moved: same header hash).
        // (Every tag of ours has a header hash: a file with this tag is a candidate too.)
        writing = !hasCandidate(tag)
        if writing {
            try writer.begin()
            try writer.write(headers)
        }
        return true
    }

    mutating func body(_ bytes: UnsafeRawBufferPointer) throws {
        digest.update(bytes)
        if writing { try writer.write(bytes) }
    }

    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        try tally.end(head, storedBytes: storedBytes, endOffset: endOffset)
        let d = digest.finalize()
        summary.update(d)
        let name = MaildirName(date: head.from.date, tag: tag, digest: d, size: storedBytes, flags: head.flags)
        if writing {
            writing = false
            try writer.finish(name)
            if writer.holdIsFull {
                try validateSource?()
                validateSource = nil
                try writer.release()
            }
            return
        }
        if let i = store.byTag[tag], !store.files[i].claimed, sameMessage(store.files[i].name, name) {
            store.files[i].claimed = true
            let f = store.files[i]
            if f.listed != name.fileName || f.subdirectory != name.subdirectory {
                if f.inLedger { renames.append((i, name, true)) } else { store.kept += 1 }
            }
            return
        }
        // Moved: an unclaimed file of ours with the same header hash, digest and size.
        if let dash = tag.lastIndex(of: "-"),
            let i = store.byHeaderHash[tag[tag.index(after: dash)...]]?.first(where: {
                !store.files[$0].claimed && store.files[$0].inLedger && sameMessage(store.files[$0].name, name)
            })
        {
            store.files[i].claimed = true
            renames.append((i, name, false))
            return
        }
        leftOver += 1
    }

    private func hasCandidate(_ tag: String) -> Bool {
        guard let dash = tag.lastIndex(of: "-") else { return false }
        return store.byHeaderHash[tag[tag.index(after: dash)...]] != nil
    }

    private func sameMessage(_ a: MaildirName, _ b: MaildirName) -> Bool { a.digest == b.digest && a.size == b.size }

    /// After the whole mailbox parsed: the renames, then the removal of every file of ours no
    /// message claimed. A rename whose name is taken (that message is stored already) removes
    /// the redundant copy instead.
    mutating func reconcile() throws -> PrecopyDeltaReport {
        var report = PrecopyDeltaReport()
        // Names a rename found taken: the file there is the message, and stays.
        var taken = Set<String>()
        for r in renames {
            if try store.move(r.file, to: r.to) {
                if r.flagsOnly { report.flagged += 1 } else { report.renamed += 1 }
            } else {
                try store.remove(r.file)
                taken.insert(r.to.subdirectory + "/" + r.to.fileName)
                report.removed += 1
            }
        }
        for (i, f) in store.files.enumerated() where !f.claimed && !taken.contains(f.subdirectory + "/" + f.listed) {
            if f.inLedger {
                try store.remove(i)
                report.removed += 1
            } else {
                store.kept += 1
            }
        }
        report.kept = store.kept
        for dir in store.dirs.values { try dir.sync() }
        return report
    }
}
