import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `lab verify`'s checks of the real mail system: every message the MX accepted from `lab
/// traffic` is in its user's store exactly once (found over IMAP by Message-ID), nothing is left
/// held or queued for a lab user, and the MTA log records no bounce.
struct RealMailVerification {
    let paths: LabPaths
    let config: LabConfig
    /// What the MX had accepted when verify began (later sends are not expected yet).
    var sent: [LabTraffic.Sent] = []
    var stillQueued: [PostfixQueue.Entry] = []

    init(paths: LabPaths, config: LabConfig) {
        self.paths = paths
        self.config = config
    }

    /// Traffic and test mail carry a Message-ID under `traffic.<domain>`: not manifest messages.
    static func isTraffic(_ seen: IMAPStoreReader.Seen) -> Bool { seen.messageID?.contains("@traffic.") ?? false }

    /// Flushes the MX's queue and waits (up to 30 s) until what was accepted has left it.
    func drained(seconds: TimeInterval = 30) throws -> RealMailVerification {
        var copy = self
        copy.sent = LabTraffic.sent(paths)
        let queue = PostfixQueue(paths: paths)
        try PostfixFrontMX.reload(paths)
        try queue.flush()
        let deadline = Date().addingTimeInterval(seconds)
        let accepted = Set(copy.sent.compactMap(\.queueID))
        var nextFlush = Date().addingTimeInterval(2)
        while true {
            copy.stillQueued = try queue.entries().filter { accepted.contains($0.queueID) }
            if copy.stillQueued.isEmpty || Date() > deadline { return copy }
            // a flush sent while the reload replaces the queue manager can be lost: ask again
            if Date() > nextFlush { try queue.flush(); nextFlush = Date().addingTimeInterval(2) }
            usleep(200_000)
        }
    }

    func check(traffic: [String: [IMAPStoreReader.Seen]], _ report: inout Report) {
        var once = 0
        for message in sent {
            let copies = (traffic[message.user] ?? []).filter { $0.messageID == message.messageID }.count
            if copies == 1 { once += 1; continue }
            let queued = stillQueued.first { $0.queueID == message.queueID }
            report.problems.append(
                "\(message.user): MX-accepted \(message.messageID) (queue id \(message.queueID ?? "?")) is in the store \(copies) time(s)"
                    + (queued.map { ", still in the \($0.queueName) queue" } ?? ""))
        }
        report.lines.append("mail through the MX: \(once)/\(sent.count) accepted messages in the store exactly once (\(paths.sentLog))")
        report.lines.append("held by the MX's hold queue during the run: \(PostfixQueue(paths: paths).holds().count) message(s)")
        let bounces = PostfixQueue(paths: paths).bounces()
        for line in bounces.prefix(5) { report.problems.append("bounce: \(line)") }
        if bounces.count > 5 { report.problems.append("… \(bounces.count - 5) more bounces in \(paths.mailLog)") }
        report.lines.append("bounces in \(paths.mailLog): \(bounces.count)")
    }

    typealias Report = LabVerifier.Report
}
