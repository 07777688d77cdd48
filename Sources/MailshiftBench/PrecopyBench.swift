import ArgumentParser
import Foundation
import Glibc
import MailboxDriver
import Steps

/// `mailshift-bench precopy`: each user's window with and without a pre-copy, on the same
/// mailboxes. Without: the window imports the whole mailbox and verifies it. With: the mailbox was
/// pre-copied while live; since then `new`% of mail arrived and `deleted`% was deleted (a POP
/// client's rewrite); the window reconciles against the ledger, imports the delta and verifies
/// everything (verify is the full check either way). Downtime here is the window's mailbox work.
struct PrecopyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precopy", abstract: "Per-user window time with and without pre-copy; the delta's messages/s; ledger bytes per message.")

    @Option(help: "Users (mailboxes).") var users = 20
    @Option(help: "Messages per mailbox.") var messages = 1000
    @Option(help: "Percent of messages that arrive between pre-copy and window.") var new = 1.0
    @Option(help: "Percent of messages deleted between pre-copy and window.") var deleted = 0.5
    @Option(help: "Average body bytes.") var bodyBytes = 3000
    @Option(help: "Work directory (left for inspection; the next run clears it).") var work = "/var/tmp/mailshift-bench-precopy"

    func message(_ u: Int, _ n: Int) -> String {
        let line = "quarterly budget numbers for the meeting, see the attached report before noon.\n"
        let body = String(repeating: line, count: max(1, (bodyBytes + (n % 7) * 300) / line.utf8.count))
        return "From s\(n)@example.org Mon Nov  2 10:00:00 2026\nFrom: s\(n)@example.org\nTo: user\(u)@example.com\n"
            + "Subject: message \(n) of user \(u)\nMessage-ID: <\(n).\(u)@bench>\nStatus: \(n % 3 == 0 ? "O" : "RO")\n\n\(body)\n"
    }

    func run() async throws {
        // A previous run's files are removed here, not at its end, and then the run waits: ext4
        // passes over inodes freed in the last ~30 s when it allocates, which made every new file
        // (most of all the window without pre-copy, which writes a thousand) several times slower.
        if FileManager.default.fileExists(atPath: work) {
            try FileManager.default.removeItem(atPath: work)
            print("precopy: removed the previous run's files; waiting 35 s so fresh inodes are not allocated past them")
            try await Task.sleep(for: .seconds(35))
        }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let options = MboxImportOptions(variant: .mboxrd, lock: false)
        let utc = TimeZone(identifier: "UTC")!
        let added = Int((Double(messages) * new / 100).rounded())
        let removed = Int((Double(messages) * deleted / 100).rounded())
        var without: [Double] = []
        var with: [Double] = []
        var importOnly: [Double] = []
        var deltaOnly: [Double] = []
        var verifyWith: [Double] = []
        var deltaCPU: [Double] = []
        var deltaSeconds = 0.0
        var deltaMessages = 0
        var ledgerBytes = 0
        var ledgerEntries = 0
        for u in 0..<users {
            let mbox = "\(work)/user\(u)"
            var all = (0..<messages).map { message(u, $0) }
            try all.joined().write(toFile: mbox, atomically: false, encoding: .utf8)
            let pre = "\(work)/pre\(u)/Maildir"
            let (_, ledger) = try PrecopyPass.run(file: mbox, maildir: pre, options: options, passes: 1)
            ledgerEntries += ledger.count
            ledgerBytes += ledger.bytes.count
            // Since the pre-copy: deletions spread through the mailbox, arrivals at its end.
            let step = max(1, messages / max(1, removed))
            let gone = Set((0..<removed).map { $0 * step + step / 2 })
            all = all.enumerated().filter { !gone.contains($0.offset) }.map(\.element) + (0..<added).map { message(u, messages + $0) }
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: mbox))
            try h.truncate(atOffset: 0)
            try h.write(contentsOf: Data(all.joined().utf8))
            // Durable before either window, so neither window's syncfs pays for this rewrite.
            try h.synchronize()
            try h.close()

            let plain = "\(work)/plain\(u)/Maildir"
            var t = Date()
            _ = try MboxImport.run(file: mbox, maildir: plain, options: options)
            importOnly.append(Date().timeIntervalSince(t))
            let v1 = try MailboxVerify.run(file: mbox, maildir: plain, variant: .mboxrd, timeZone: utc, mode: .digest)
            without.append(Date().timeIntervalSince(t))

            t = Date()
            let cpu0 = Self.threadCPU()
            let ledgerNow = try PrecopyLedger.read(maildir: pre, journaled: PrecopyOutputs(ledgerSHA256: ledger.sha256, ledgerEntries: ledger.count, passes: 1))
            let (delta, imported) = try PrecopyDelta.run(file: mbox, maildir: pre, options: options, ledger: ledgerNow)
            let moved = Date().timeIntervalSince(t)
            deltaCPU.append(Self.threadCPU() - cpu0)
            let v2 = try MailboxVerify.run(file: mbox, maildir: pre, variant: .mboxrd, timeZone: utc, mode: .digest)
            with.append(Date().timeIntervalSince(t))
            deltaOnly.append(moved)
            verifyWith.append(with[with.count - 1] - moved)
            guard v1.passed, v2.passed else { throw ValidationError("user \(u): verify failed (without: \(v1.passed), with: \(v2.passed))") }
            deltaSeconds += moved
            deltaMessages += imported.imported + delta.removed + delta.renamed + delta.flagged
        }
        func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        let a = median(without), b = median(with)
        print("precopy: \(users) users × \(messages) messages, \(new)% new, \(deleted)% deleted between pre-copy and window")
        print(String(format: "  window without pre-copy: median %.3f s per user (import + digest verify)", a))
        print(String(format: "  window with pre-copy:    median %.3f s per user (delta + digest verify) = %.1f %% of without", b, 100 * b / a))
        print(String(format: "  parts (medians): full import %.3f s; delta %.4f s; the full digest verify after the delta %.4f s",
            median(importOnly), median(deltaOnly), median(verifyWith)))
        print(String(format: "  delta CPU time (user + system, this thread; no wait for the disk): median %.4f s", median(deltaCPU)))
        print(String(format: "  delta pass: %d messages changed in %.3f s = %.0f messages/s (one pass: reconcile + import, verify excluded)",
            deltaMessages, deltaSeconds, Double(deltaMessages) / max(deltaSeconds, 1e-9)))
        print(String(format: "  ledger: %.1f bytes per message on disk and in memory (12-byte keys)", Double(ledgerBytes) / Double(max(1, ledgerEntries))))
    }

    /// CPU seconds this thread has used (the delta runs on it): a figure other builds on the
    /// machine disturb less than wall time.
    static func threadCPU() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(1), &u)  // RUSAGE_THREAD
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}
