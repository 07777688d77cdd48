import Digest
import Foundation
import Glibc

/// How to import one mbox file into one Maildir.
public struct MboxImportOptions: Sendable {
    public var variant: MboxVariant
    /// Zone for From_ dates written without one.
    public var timeZone: TimeZone
    /// Names this source's messages (`m` spool, `s` saved mail); see `MaildirName`.
    public var tagPrefix: String
    /// Take the spool lock (dotlock, then fcntl) while reading.
    public var lock: Bool
    public var lockTimeout: Double
    public var owner: (uid: uid_t, gid: gid_t)?
    /// Skip messages whose canonical digest is already in the Maildir (saved-mail replay).
    public var deduplicate: Bool
    /// Messages per durable batch (tests and benchmarks vary it).
    public var batchMessages: Int = 1024
    /// Where messages wait for their batch (benchmarks compare the two).
    public var staging: MaildirWriter.Staging = .automatic
    /// How `variant: .auto` reads a mailbox mboxo and mboxrd read differently.
    public var ifAmbiguous: AmbiguousReading

    public init(
        variant: MboxVariant = .auto, timeZone: TimeZone = TimeZone(identifier: "UTC")!, tagPrefix: String = "m",
        lock: Bool = false, lockTimeout: Double = 30, owner: (uid: uid_t, gid: gid_t)? = nil, deduplicate: Bool = false,
        ifAmbiguous: AmbiguousReading = .refuse
    ) {
        self.ifAmbiguous = ifAmbiguous
        self.variant = variant
        self.timeZone = timeZone
        self.tagPrefix = tagPrefix
        self.lock = lock
        self.lockTimeout = lockTimeout
        self.owner = owner
        self.deduplicate = deduplicate
    }
}

/// What an import did (also the agent's JSON; field names are a wire format: add, never rename).
public struct MboxImportReport: Sendable, Hashable, Codable {
    public var file: String
    public var maildir: String
    public var variant: String
    public var detected: Bool
    /// Messages in the source (pseudo-messages excluded) and their stored size.
    public var messages: Int
    public var bytes: Int
    /// Written by this run.
    public var imported: Int
    public var importedBytes: Int
    /// Already in the Maildir from an earlier (possibly interrupted) run.
    public var present: Int
    /// Saved-mail messages skipped because the same message was already imported.
    public var duplicates: Int
    public var skippedInternal: Int
    public var warningCount: Int
    public var warnings: [String]
    /// SHA-256 over the messages' canonical digests (24 hex each), in mailbox order.
    public var digestSummary: String
    /// The source at import time: `inode:size:mtime_ns`.
    public var source: String
    public var firstDate: Int?
    public var lastDate: Int?
}

/// Imports one mbox file into a Maildir, idempotently: stream each message not yet present into
/// the Maildir, durable in batches, and return only once everything written is durable.
///
/// Nothing is written for a damaged file: the writer holds the staged messages back (invisible)
/// until the whole file has parsed. A mailbox that fits the hold (4 batches: 4,096 messages or
/// 128 MB) is therefore read once; a larger one is validated whole by a second reader when the
/// hold fills, before anything is published, and the import goes on from where it was.
public enum MboxImport {
    public static func run(file: String, maildir: String, options: MboxImportOptions) throws -> MboxImportReport {
        let lock = options.lock ? try SpoolLock(mbox: file, timeout: options.lockTimeout) : nil
        defer { lock?.unlock() }
        let reader = try MboxReader(path: file, variant: options.variant, timeZone: options.timeZone, ifAmbiguous: options.ifAmbiguous)
        let writer = try MaildirWriter(
            root: maildir, owner: options.owner, batchMessages: options.batchMessages, staging: options.staging, hold: true)
        var consumer = ImportConsumer(writer: writer, prefix: options.tagPrefix, deduplicate: options.deduplicate)
        let variant = reader.variant
        consumer.validateSource = {
            var whole = MboxTally()
            try MboxReader(path: file, variant: variant, timeZone: options.timeZone).read(into: &whole)
        }
        do {
            try reader.read(into: &consumer)
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        let tally = consumer.tally
        var report = MboxImportReport(
            file: file, maildir: maildir, variant: reader.variant.rawValue, detected: reader.detected,
            messages: tally.messages, bytes: tally.bytes, imported: 0, importedBytes: 0, present: 0, duplicates: 0,
            skippedInternal: 0, warningCount: 0, warnings: [], digestSummary: "", source: reader.identity.description,
            firstDate: tally.firstDate, lastDate: tally.lastDate)
        report.imported = writer.written
        report.importedBytes = writer.writtenBytes
        report.present = consumer.present
        report.duplicates = consumer.duplicates
        report.skippedInternal = reader.skippedInternal
        report.warningCount = reader.warningCount
        report.warnings = reader.warnings.map(\.description)
        report.digestSummary = consumer.summary.finalize().hexString
        return report
    }

    /// Read-only: what `run` would do (messages, bytes, how many are already in the Maildir).
    public static func preview(file: String, maildir: String, options: MboxImportOptions) throws -> (tally: MboxTally, pending: Int, pendingBytes: Int, variant: MboxVariant) {
        let reader = try MboxReader(path: file, variant: options.variant, timeZone: options.timeZone, ifAmbiguous: options.ifAmbiguous)
        let existing = MaildirPresence(scanning: maildir)
        var counter = PresenceCounter(existing: existing, prefix: options.tagPrefix)
        if options.deduplicate { counter.knownDigests = existing.messageKeys() }
        try reader.read(into: &counter)
        return (counter.tally, counter.pending, counter.pendingBytes, reader.variant)
    }
}

/// Streams each new message into the writer; skips messages already present by tag. Counts
/// every message (the report's tally), and when the writer's hold fills, has the whole source
/// validated before letting it publish.
struct ImportConsumer: MboxConsumer {
    let writer: MaildirWriter
    let prefix: String
    let deduplicate: Bool
    var tally = MboxTally()
    /// Reads the whole source once (throws where it is damaged); called at most once.
    var validateSource: (() throws -> Void)?
    var knownDigests: MessageKeySet?
    var digest = MessageKey()
    var summary = SHA256()
    var present = 0
    var duplicates = 0
    var writing = false

    init(writer: MaildirWriter, prefix: String, deduplicate: Bool) {
        self.writer = writer
        self.prefix = prefix
        self.deduplicate = deduplicate
        if deduplicate { knownDigests = writer.existing.messageKeys() }
    }

    var tag = ""

    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        _ = try tally.begin(head, headers: headers)
        tag = MessageTag.make(prefix, offset: head.offset, headers: headers)
        if let known = writer.existing.key(ofTag: tag) {
            present += 1
            summary.update(known)
            writing = false
            return false
        }
        try writer.begin()
        writing = true
        digest = MessageKey()
        digest.update(headers)
        try writer.write(headers)
        return true
    }

    mutating func body(_ bytes: UnsafeRawBufferPointer) throws {
        digest.update(bytes)
        try writer.write(bytes)
    }

    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        try tally.end(head, storedBytes: storedBytes, endOffset: endOffset)
        guard writing else { return }
        writing = false
        let d = digest.finalize()
        summary.update(d)
        if let known = knownDigests, known.contains(d) {
            duplicates += 1
            writer.discard()
            return
        }
        try writer.finish(MaildirName(date: head.from.date, tag: tag, digest: d, size: storedBytes, flags: head.flags))
        if writer.holdIsFull {
            try validateSource?()
            validateSource = nil
            try writer.release()
        }
    }
}

/// Counts what an import would write, without writing.
struct PresenceCounter: MboxConsumer {
    let existing: MaildirPresence
    let prefix: String
    /// When deduplicating: digests already in the Maildir (a pending message matching one is not pending).
    var knownDigests: MessageKeySet?
    var tally = MboxTally()
    var pending = 0
    var pendingBytes = 0
    var isPending = false
    var digest = MessageKey()

    init(existing: MaildirPresence, prefix: String) {
        self.existing = existing
        self.prefix = prefix
    }

    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        isPending = !existing.contains(tag: MessageTag.make(prefix, offset: head.offset, headers: headers))
        _ = try tally.begin(head, headers: headers)
        guard isPending, knownDigests != nil else { return false }
        digest = MessageKey()
        digest.update(headers)
        return true
    }

    mutating func body(_ bytes: UnsafeRawBufferPointer) throws { digest.update(bytes) }

    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        try tally.end(head, storedBytes: storedBytes, endOffset: endOffset)
        if isPending, let known = knownDigests, known.contains(digest.finalize()) { isPending = false }
        if isPending {
            pending += 1
            pendingBytes += storedBytes
        }
    }
}
