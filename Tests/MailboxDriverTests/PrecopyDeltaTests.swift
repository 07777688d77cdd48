import Foundation
import MailboxDriver
import MailshiftTestSupport
import Testing

/// The window's delta touches only files the pre-copy stored and no one changed since.
@Suite struct PrecopyDeltaTests {
    static func message(_ n: Int, status: String = "O", xstatus: String? = nil) -> String {
        "From s\(n)@example.org Mon Nov  2 10:00:0\(n) 2026\nFrom: s\(n)@example.org\nSubject: m\(n)\n"
            + "Status: \(status)\n" + (xstatus.map { "X-Status: \($0)\n" } ?? "") + "\nbody \(n)\n\n"
    }

    struct Scene {
        let dir: TemporaryDirectory
        var mbox: String { dir.file("alice") }
        var maildir: String { dir.file("Maildir") }
        let options = MboxImportOptions(variant: .mboxrd)

        init() throws {
            dir = try TemporaryDirectory(prefix: "delta")
            try (0..<4).map { PrecopyDeltaTests.message($0) }.joined().write(toFile: mbox, atomically: false, encoding: .utf8)
        }

        func files() -> [String] {
            ["new", "cur"].flatMap { sub in ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + sub)) ?? []).map { sub + "/" + $0 } }
                .sorted()
        }

        func verify() throws -> MailboxVerify.Report {
            try MailboxVerify.run(file: mbox, maildir: maildir, variant: .mboxrd, timeZone: TimeZone(identifier: "UTC")!, mode: .digest)
        }
    }

    @Test func deletionsFlagsAndMovesAreAppliedAndTheLedgerIsWhatWasStored() throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let (report, ledger) = try PrecopyPass.run(file: s.mbox, maildir: s.maildir, options: s.options, passes: 2)
        #expect(report.imported == 4)
        #expect(ledger.count == 4)
        #expect(try PrecopyLedger.read(maildir: s.maildir, expected: ledger.sha256) == ledger)
        #expect(try PrecopyLedger.read(maildir: s.maildir, expected: String(repeating: "0", count: 64)) == nil)

        // m0 deleted (everything after it moves), m2 flagged, m4 new.
        try ([PrecopyDeltaTests.message(1), PrecopyDeltaTests.message(2, status: "RO", xstatus: "A"), PrecopyDeltaTests.message(3),
            PrecopyDeltaTests.message(4)].joined()).write(toFile: s.mbox, atomically: false, encoding: .utf8)
        let delta = try PrecopyDelta.reconcile(file: s.mbox, maildir: s.maildir, options: s.options, ledger: ledger)
        #expect(delta.removed == 1)
        #expect(delta.renamed == 3)
        #expect(delta.kept == 0)
        let imported = try MboxImport.run(file: s.mbox, maildir: s.maildir, options: s.options)
        #expect(imported.imported == 1)
        #expect(try s.verify().passed)
        #expect(s.files().filter { $0.hasSuffix(":2,RS") }.count == 1, "m2 is read and replied: \(s.files())")

        // Re-running the delta (a resume after a crash) changes nothing more.
        let again = try PrecopyDelta.reconcile(file: s.mbox, maildir: s.maildir, options: s.options, ledger: ledger)
        #expect(again == PrecopyDeltaReport())
    }

    @Test func aFileChangedInTheNewStoreOrAnUntrustedLedgerIsNeverRemoved() throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let (_, ledger) = try PrecopyPass.run(file: s.mbox, maildir: s.maildir, options: s.options, passes: 1)
        // Someone read m3 in the new store (its file renamed with the Seen flag), then m3 and m1
        // are deleted on the legacy host.
        let m3 = try #require(s.files().first { $0.contains("_") && (try? String(contentsOfFile: s.maildir + "/" + $0, encoding: .utf8))?.contains("Subject: m3") == true })
        let name = String(m3.split(separator: "/").last!)
        try FileManager.default.moveItem(atPath: s.maildir + "/" + m3, toPath: s.maildir + "/cur/" + name.split(separator: ":").first! + ":2,S")
        try ([0, 2].map { PrecopyDeltaTests.message($0) }.joined()).write(toFile: s.mbox, atomically: false, encoding: .utf8)

        // Without a ledger to trust, nothing is removed: verify names what is left.
        let untrusted = try PrecopyDelta.reconcile(file: s.mbox, maildir: s.maildir, options: s.options, ledger: nil)
        #expect(untrusted.removed == 0 && untrusted.renamed == 0)
        #expect(s.files().count == 4)
        #expect(try s.verify().extra.count == 2, "m1 and m3 (digest mode finds m2 under its old name)")

        let delta = try PrecopyDelta.reconcile(file: s.mbox, maildir: s.maildir, options: s.options, ledger: ledger)
        #expect(delta.removed == 1, "m1, as the pre-copy stored it")
        #expect(delta.renamed == 1, "m2 moved up")
        #expect(delta.kept == 1, "m3 was read in the new store: kept for a person to decide")
        let verify = try s.verify()
        #expect(verify.missing.isEmpty)
        #expect(verify.extra.count == 1 && verify.extra.first?.hasSuffix(":2,S") == true, "\(verify.extra)")
    }
}
