import Diagnostics
import Digest
import Foundation
import Glibc
import SafeFiles
import Steps

/// Proves an import whole: the source mailbox against the Maildir, by count (every source message
/// has its file, by its deterministic name) or by digest (every message's canonical digest,
/// recomputed from the Maildir file, matches the source's).
public enum MailboxVerify {
    public enum Mode: String, Sendable, Codable { case count, digest }

    /// The verdict (also the agent's JSON; add fields, never rename).
    public struct Report: Sendable, Hashable, Codable {
        public var file: String
        public var maildir: String
        public var mode: String
        public var passed: Bool
        public var sourceMessages: Int
        public var destinationMessages: Int
        /// Source messages without their copy (`byte <offset>` or `byte <offset> digest <d>`).
        public var missing: [String]
        /// Our files with no source message (`<file name>`; in digest mode, `<new|cur>/<file name>
        /// (<kind>, not a regular file)` for an entry that is no file to read).
        public var extra: [String]
        public var source: String
        public var digestSummary: String
        /// The source's edge digest (`SourceSummary.edges`), when its reader reported one.
        public var sourceEdges: String?
        /// How many source messages have no copy (`missing` may be shortened in an agent's answer).
        public var missingCount: Int?
        /// How many of our files have no source message (`extra` may be shortened likewise).
        public var extraCount: Int?
    }

    public static func run(
        file: String, maildir: String, variant: MboxVariant, timeZone: TimeZone, mode: Mode, tagPrefix: String = "m"
    ) throws -> Report {
        var sourceID = "absent"
        var source: [(offset: Int, tag: String, digest: String)] = []
        if try SourceFile.exists(file) {
            let reader = try MboxReader(path: file, variant: variant, timeZone: timeZone)
            sourceID = reader.identity.description
            var c = DigestCollector(computeDigests: mode == .digest, prefix: tagPrefix)
            try reader.read(into: &c)
            source = c.messages
        }
        return try compare(source: source, sourceID: sourceID, file: file, maildir: maildir, mode: mode, tagPrefix: tagPrefix)
    }

    /// The store half of `run`: `source` (each message's offset, tag and digest, read wherever
    /// the mailbox lives) against the Maildir here.
    static func compare(
        source: [(offset: Int, tag: String, digest: String)], sourceID: String, file: String, maildir: String, mode: Mode, tagPrefix: String
    ) throws -> Report {
        let ours = MaildirIndex.scan(maildir).filter { MessageTag.isOurs($0.key, prefix: tagPrefix) }
        var missing: [String] = []
        var extra: [String] = []
        var summary = SHA256()
        switch mode {
        case .count:
            let tags = Set(source.map(\.tag))
            missing = source.filter { ours[$0.tag] == nil }.map { "byte \($0.offset)" }
            extra = ours.filter { !tags.contains($0.key) }.map(\.value.fileName).sorted()
            for m in source { summary.update(ours[m.tag]?.digest ?? "") }
        case .digest:
            // Stored copies by digest. Identical messages share one entry, and matching a source
            // message takes one name off it in place: linear however many copies there are.
            var found: [String: [String]] = [:]
            let reader = StoreFile()
            defer { reader.deallocate() }
            for sub in ["new", "cur"] {
                let dir = open("\(maildir)/\(sub)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard dir >= 0 else { continue }  // never created: every name in it is missing
                defer { close(dir) }
                for name in ours.values.filter({ $0.subdirectory == sub }).sorted(by: { $0.tag < $1.tag }) {
                    switch try reader.canonicalDigest(directory: dir, path: "\(maildir)/\(sub)", name: name.fileName) {
                    case .message(let d): found[d, default: []].append(name.fileName)
                    case .notRegular(let kind): extra.append("\(sub)/\(name.fileName) (\(kind), not a regular file)")
                    }
                }
            }
            for m in source {
                summary.update(String(m.digest.prefix(24)))
                if let k = found.index(forKey: m.digest), !found.values[k].isEmpty {
                    found.values[k].removeLast()
                } else {
                    missing.append("byte \(m.offset) digest \(m.digest.prefix(24))")
                }
            }
            extra = (extra + found.values.joined()).sorted()
        }
        return Report(
            file: file, maildir: maildir, mode: mode.rawValue, passed: missing.isEmpty && extra.isEmpty,
            sourceMessages: source.count, destinationMessages: ours.count, missing: missing, extra: extra,
            source: sourceID, digestSummary: summary.finalize().hexString)
    }

    /// The canonical digest of a stored message file, streamed; refuses anything but a regular
    /// file (a FIFO or a link to a device there would hang or mislead the reader).
    public static func digestOfFile(_ path: String) throws -> String {
        let slash = path.lastIndex(of: "/")
        let dirPath = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let dir = open(dirPath.isEmpty ? "/" : dirPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw MboxError(.unreadable, file: path, offset: 0, detail: String(cString: strerror(errno))) }
        defer { close(dir) }
        let reader = StoreFile()
        defer { reader.deallocate() }
        switch try reader.canonicalDigest(directory: dir, path: dirPath, name: name) {
        case .message(let d): return d
        case .notRegular(let kind): throw MboxError(.unreadable, file: path, offset: 0, detail: "\(kind), not a regular file")
        }
    }
}

/// Each message's offset, tag and (optionally) canonical digest.
struct DigestCollector: MboxConsumer {
    let computeDigests: Bool
    let prefix: String
    var messages: [(offset: Int, tag: String, digest: String)] = []
    var digest = CanonicalSHA256()
    var tag = ""

    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        tag = MessageTag.make(prefix, offset: head.offset, headers: headers)
        guard computeDigests else { return false }
        digest = CanonicalSHA256()
        digest.update(headers)
        return true
    }

    mutating func body(_ bytes: UnsafeRawBufferPointer) throws { digest.update(bytes) }

    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        messages.append((head.offset, tag, computeDigests ? digest.finalize() : ""))
    }
}

/// A verify that found missing or extra messages: permanent, with the lists.
public struct VerifyFailure: StepFailure, Hashable {
    public var file: String
    public var missing: [String]
    public var extra: [String]
    /// The true counts when the lists were shortened (an agent answers at most 1,000 of each).
    public var missingCount: Int?
    public var extraCount: Int?
    public var disposition: FailureDisposition { .permanent }

    public init(file: String, missing: [String], extra: [String], missingCount: Int? = nil, extraCount: Int? = nil) {
        (self.file, self.missing, self.extra) = (file, missing, extra)
        (self.missingCount, self.extraCount) = (missingCount, extraCount)
    }

    public var summary: String {
        func counted(_ list: [String], _ total: Int?, _ word: String) -> String {
            let n = max(total ?? list.count, list.count)
            return n > list.count ? "\(n.grouped) \(word) (first \(list.count.grouped) listed)" : "\(n) \(word)"
        }
        var s = "\(file): verify failed: \(counted(missing, missingCount, "missing")), \(counted(extra, extraCount, "extra"))"
        if !missing.isEmpty { s += "; missing " + missing.prefix(10).joined(separator: ", ") }
        if !extra.isEmpty { s += "; extra " + extra.prefix(10).joined(separator: ", ") }
        return s
    }
    public var hint: String? { "re-run the import step (it adds only what is missing), then verify again" }
    public var diagnosticCode: DiagnosticCode { "mailbox.verify-mismatch" }
    public var subject: RunSubject? { RunSubject(file: file) }
}
