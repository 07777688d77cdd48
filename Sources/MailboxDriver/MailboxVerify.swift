import Digest
import Foundation
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
        /// Our files with no source message (`<file name>`).
        public var extra: [String]
        public var source: String
        public var digestSummary: String
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
            var found: [String: [String]] = [:]  // digest → file names
            for name in ours.values.sorted(by: { $0.tag < $1.tag }) {
                let d = try digestOfFile("\(maildir)/\(name.subdirectory)/\(name.fileName)")
                found[d, default: []].append(name.fileName)
            }
            for m in source {
                summary.update(String(m.digest.prefix(24)))
                if var names = found[m.digest], !names.isEmpty {
                    names.removeLast()
                    found[m.digest] = names
                } else {
                    missing.append("byte \(m.offset) digest \(m.digest.prefix(24))")
                }
            }
            extra = found.values.flatMap { $0 }.sorted()
        }
        return Report(
            file: file, maildir: maildir, mode: mode.rawValue, passed: missing.isEmpty && extra.isEmpty,
            sourceMessages: source.count, destinationMessages: ours.count, missing: missing, extra: extra,
            source: sourceID, digestSummary: summary.finalize().hexString)
    }

    /// The canonical digest of a stored message file, streamed.
    public static func digestOfFile(_ path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw MboxError(.unreadable, file: path, offset: 0, detail: "cannot open")
        }
        defer { try? h.close() }
        var d = CanonicalSHA256()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { d.update($0) }
        }
        return d.finalize()
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
    public var disposition: FailureDisposition { .permanent }
    public var summary: String {
        var s = "\(file): verify failed: \(missing.count) missing, \(extra.count) extra"
        if !missing.isEmpty { s += "; missing " + missing.prefix(10).joined(separator: ", ") }
        if !extra.isEmpty { s += "; extra " + extra.prefix(10).joined(separator: ", ") }
        return s
    }
    public var hint: String? { "re-run the import step (it adds only what is missing), then verify again" }
}
