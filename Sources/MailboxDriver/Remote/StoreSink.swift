import Foundation
import Glibc
import SafeFiles

/// The store host's side: takes a relayed frame stream and writes it into the Maildir here, or
/// compares a relayed digest list with it. Every frame is checked as coming from a host this one
/// does not trust: the Maildir path comes from the request (the plan), never from the stream;
/// lengths are bounded; the message count must match the source's own summary.
///
/// A stream that ends without its summary (the source's session died) or with a failure frame
/// leaves nothing visible: the writer holds what it staged and abandons it.
enum StoreSink {
    /// Most entries of each verify list an answer carries (the counts carry the rest).
    static let listLimit = 1000

    static func writeMaildir(_ r: AgentRequest, from input: FrameReader) throws -> MboxImportReport {
        let maildir = try AgentPaths.checked(r.maildir, "maildir")
        let owner = try ownerIDs(r.owner)
        let prefix = r.tagPrefix ?? "m"
        // The prefix starts every file name written: only the two the drivers use.
        guard prefix == "m" || prefix == "s" else { throw AgentFailure(message: "unknown tag prefix '\(prefix)'") }
        var writer: MaildirWriter?
        var consumer: ImportConsumer?
        var head: MboxMessageHead?
        var wanted = false
        var index = 0
        // Bytes of the current message as relayed (headers and body): the only size this host
        // believes; the end frame's count must equal it before it names a file (`S=`).
        var received = 0
        do {
            while let (type, payload) = try input.next() {
                switch type {
                case .head:
                    guard head == nil else { throw AgentFailure(message: "a message began before the previous one ended") }
                    if consumer == nil {
                        let w = try MaildirWriter(root: maildir, owner: owner, batchMessages: 1024, staging: .automatic, hold: true)
                        (writer, consumer) = (w, ImportConsumer(writer: w, prefix: prefix, deduplicate: r.deduplicate ?? false))
                    }
                    let (h, headers) = try MessageHeadCodec.decode(payload, index: index)
                    wanted = try consumer!.begin(h, headers: headers)
                    (head, received) = (h, headers.count)
                case .body:
                    guard head != nil else { throw AgentFailure(message: "body bytes outside a message") }
                    received += payload.count
                    if wanted { try consumer!.body(payload) }
                case .end:
                    guard let h = head else { throw AgentFailure(message: "a message ended that never began") }
                    let e = try MessageHeadCodec.decodeEnd(payload)
                    guard e.storedBytes == received else {
                        throw AgentFailure(
                            message: "message \(index + 1) at byte \(h.offset) ends claiming \(e.storedBytes) bytes, but \(received) were relayed",
                            hint: "the source agent's stream is inconsistent; is it the same mailshift build?")
                    }
                    guard e.endOffset >= h.offset else {
                        throw AgentFailure(message: "message \(index + 1) ends at byte \(e.endOffset), before it began (\(h.offset))")
                    }
                    try consumer!.end(h, storedBytes: e.storedBytes, endOffset: e.endOffset)
                    (head, index) = (nil, index + 1)
                case .summary:
                    guard head == nil else { throw AgentFailure(message: "the stream ended inside a message") }
                    let summary = try decode(SourceSummary.self, payload)
                    guard summary.messages == index else {
                        throw AgentFailure(message: "the stream carried \(index) messages, the source counted \(summary.messages)")
                    }
                    try writer?.commit()
                    return report(summary, maildir: maildir, writer: writer, consumer: consumer)
                case .failure:
                    throw try decode(AgentFailure.self, payload)
                case .digest:
                    throw AgentFailure(message: "a digest frame in a message stream")
                }
            }
            throw AgentFailure(message: "the message stream ended before its summary (the source host's session ended)", transient: true)
        } catch {
            writer?.abandon()
            throw error
        }
    }

    static func verifyMaildir(_ r: AgentRequest, from input: FrameReader) throws -> MailboxVerify.Report {
        let maildir = try AgentPaths.checked(r.maildir, "maildir")
        guard let mode = MailboxVerify.Mode(rawValue: r.mode ?? "") else { throw AgentFailure(message: "unknown verify mode '\(r.mode ?? "")'") }
        var source: [(offset: Int, tag: String, digest: String)] = []
        while let (type, payload) = try input.next() {
            switch type {
            case .digest:
                guard source.count < AgentProtocol.messageLimit else { throw AgentFailure(message: "over \(AgentProtocol.messageLimit) messages") }
                source.append(try DigestEntryCodec.decode(payload))
            case .summary:
                let summary = try decode(SourceSummary.self, payload)
                guard summary.messages == source.count else {
                    throw AgentFailure(message: "the digest list holds \(source.count) messages, the source counted \(summary.messages)")
                }
                var report = try MailboxVerify.compare(
                    source: source, sourceID: summary.source, file: summary.file, maildir: maildir, mode: mode, tagPrefix: r.tagPrefix ?? "m")
                report.sourceEdges = summary.edges == "-" ? nil : summary.edges
                (report.missingCount, report.extraCount) = (report.missing.count, report.extra.count)
                // Bounded answer: the counts say how many, the lists show the first ones.
                (report.missing, report.extra) = (Array(report.missing.prefix(listLimit)), Array(report.extra.prefix(listLimit)))
                return report
            case .failure:
                throw try decode(AgentFailure.self, payload)
            default:
                throw AgentFailure(message: "a \(type) frame in a digest stream")
            }
        }
        throw AgentFailure(message: "the digest stream ended before its summary (the source host's session ended)", transient: true)
    }

    static func report(_ s: SourceSummary, maildir: String, writer: MaildirWriter?, consumer: ImportConsumer?) -> MboxImportReport {
        var summary = consumer?.summary
        return MboxImportReport(
            file: s.file, maildir: maildir, variant: s.variant, detected: s.detected, messages: s.messages, bytes: s.bytes,
            imported: writer?.written ?? 0, importedBytes: writer?.writtenBytes ?? 0, present: consumer?.present ?? 0,
            duplicates: consumer?.duplicates ?? 0, skippedInternal: s.skippedInternal, warningCount: s.warningCount,
            warnings: s.warnings, digestSummary: summary?.finalize().hexString ?? "", source: s.source,
            firstDate: s.firstDate, lastDate: s.lastDate)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ payload: UnsafeRawBufferPointer) throws(AgentFailure) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(payload))
        } catch {
            throw AgentFailure(message: "a \(T.self) frame is not understood: \(error)")
        }
    }

    /// uid and gid of `owner` on this host (applied only when the agent runs as root).
    static func ownerIDs(_ owner: String?) throws(AgentFailure) -> (uid: uid_t, gid: gid_t)? {
        guard let owner, !owner.isEmpty, geteuid() == 0 else { return nil }
        guard let account = FileOwner.account(owner) else { throw AgentFailure(message: "owner '\(owner)' is not a user on this host") }
        return (account.uid, account.gid)
    }
}
