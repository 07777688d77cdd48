import CommandDriver
import Digest
import Foundation
import MailboxDriver
import Steps
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
        let journaled = PrecopyOutputs(ledgerSHA256: ledger.sha256, ledgerEntries: ledger.count, passes: 2)
        #expect(try PrecopyLedger.read(maildir: s.maildir, journaled: journaled) == ledger)
        var other = journaled
        other.ledgerSHA256 = String(repeating: "0", count: 64)
        #expect(try PrecopyLedger.read(maildir: s.maildir, journaled: other) == nil)
        // The entry count is the journal's: a ledger of another size is refused before it is read.
        other = journaled
        other.ledgerEntries = 5
        #expect(try PrecopyLedger.read(maildir: s.maildir, journaled: other) == nil)
        other.ledgerEntries = PrecopyLedger.maxEntries + 1
        #expect(try PrecopyLedger.read(maildir: s.maildir, journaled: other) == nil)

        // m0 deleted (everything after it moves), m2 flagged, m4 new.
        try ([PrecopyDeltaTests.message(1), PrecopyDeltaTests.message(2, status: "RO", xstatus: "A"), PrecopyDeltaTests.message(3),
            PrecopyDeltaTests.message(4)].joined()).write(toFile: s.mbox, atomically: false, encoding: .utf8)
        // One read of the mailbox: the moved messages are renamed, not copied; only m4 is written.
        let (delta, imported) = try PrecopyDelta.run(file: s.mbox, maildir: s.maildir, options: s.options, ledger: ledger)
        #expect(delta.removed == 1)
        #expect(delta.renamed == 3)
        #expect(delta.kept == 0)
        #expect(imported.imported == 1)
        #expect(imported.present == 3)
        #expect(try MboxImport.run(file: s.mbox, maildir: s.maildir, options: s.options).imported == 0)
        #expect(try s.verify().passed)
        #expect(s.files().filter { $0.hasSuffix(":2,RS") }.count == 1, "m2 is read and replied: \(s.files())")

        // Re-running the delta (a resume after a crash) changes nothing more.
        let again = try PrecopyDelta.reconcile(file: s.mbox, maildir: s.maildir, options: s.options, ledger: ledger)
        #expect(again == PrecopyDeltaReport())
    }

    /// Someone read m3 in the new store (its file renamed with the Seen flag), then m3 and m1
    /// are deleted on the legacy host.
    static func readThenDeleted() throws -> (Scene, PrecopyLedger) {
        let s = try Scene()
        let (_, ledger) = try PrecopyPass.run(file: s.mbox, maildir: s.maildir, options: s.options, passes: 1)
        let m3 = try #require(s.files().first { $0.contains("_") && (try? String(contentsOfFile: s.maildir + "/" + $0, encoding: .utf8))?.contains("Subject: m3") == true })
        let name = String(m3.split(separator: "/").last!)
        try FileManager.default.moveItem(atPath: s.maildir + "/" + m3, toPath: s.maildir + "/cur/" + name.split(separator: ":").first! + ":2,S")
        try ([0, 2].map { PrecopyDeltaTests.message($0) }.joined()).write(toFile: s.mbox, atomically: false, encoding: .utf8)
        return (s, ledger)
    }

    @Test func aFileChangedInTheNewStoreIsNeverRemoved() throws {
        let (s, ledger) = try Self.readThenDeleted()
        defer { s.dir.remove() }
        let (delta, imported) = try PrecopyDelta.run(file: s.mbox, maildir: s.maildir, options: s.options, ledger: ledger)
        #expect(delta.removed == 1, "m1, as the pre-copy stored it")
        #expect(delta.renamed == 1, "m2 moved up")
        #expect(delta.kept == 1, "m3 was read in the new store: kept for a person to decide")
        #expect(imported.imported == 0)
        let verify = try s.verify()
        #expect(verify.missing.isEmpty)
        #expect(verify.extra.count == 1 && verify.extra.first?.hasSuffix(":2,S") == true, "\(verify.extra)")
    }

    @Test func withoutALedgerToTrustNothingIsRemovedOrRenamed() throws {
        let (s, _) = try Self.readThenDeleted()
        defer { s.dir.remove() }
        let (delta, imported) = try PrecopyDelta.run(file: s.mbox, maildir: s.maildir, options: s.options, ledger: nil)
        #expect(delta.removed == 0 && delta.renamed == 0)
        #expect(imported.imported == 1, "m2 under its new name: the old file may not be renamed")
        #expect(s.files().count == 5)
        #expect(try s.verify().extra.count == 3, "m1, m3 and m2's old file: verify names what is left")
    }

    /// A rename never replaces a file: when the name it would give is taken (the message is
    /// stored already under its final name), the pre-copy's redundant copy is removed instead,
    /// and the file that holds the name stays.
    @Test func aRenameToATakenNameKeepsTheFileThereAndRemovesTheCopy() throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let (_, ledger) = try PrecopyPass.run(file: s.mbox, maildir: s.maildir, options: s.options, passes: 1)
        // m1 is now read on the legacy host, and a copy of it already sits in cur/ with that flag.
        let m1 = try #require(s.files().first { $0.contains("_") && (try? String(contentsOfFile: s.maildir + "/" + $0, encoding: .utf8))?.contains("Subject: m1") == true })
        let seen = "cur/" + m1.dropFirst(4).split(separator: ":")[0] + ":2,S"
        try FileManager.default.copyItem(atPath: s.maildir + "/" + m1, toPath: s.maildir + "/" + seen)
        try ([PrecopyDeltaTests.message(0), PrecopyDeltaTests.message(1, status: "RO"), PrecopyDeltaTests.message(2), PrecopyDeltaTests.message(3)]
            .joined()).write(toFile: s.mbox, atomically: false, encoding: .utf8)

        let (delta, imported) = try PrecopyDelta.run(file: s.mbox, maildir: s.maildir, options: s.options, ledger: ledger)
        #expect(delta.flagged == 0 && delta.removed == 1, "\(delta)")
        #expect(imported.imported == 0)
        #expect(s.files().contains(seen))
        #expect(!s.files().contains(m1))
        #expect(try s.verify().passed)
    }

    /// `mailshift sync` run again after a message was deleted on the legacy host: the pass
    /// reconciles against the ledger it left, so the moved messages are renamed, not stored a
    /// second time under their new names, and the new ledger holds every file.
    @Test func aRepeatedPrecopyReconcilesAgainstItsLedger() throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let (_, first) = try PrecopyPass.run(file: s.mbox, maildir: s.maildir, options: s.options, passes: 1)
        try ([1, 2, 3, 4].map { PrecopyDeltaTests.message($0) }.joined()).write(toFile: s.mbox, atomically: false, encoding: .utf8)
        let (report, second) = try PrecopyPass.run(file: s.mbox, maildir: s.maildir, options: s.options, passes: 1, previous: first)
        #expect(report.imported == 1, "only m4 is new")
        #expect(s.files().count == 4)
        #expect(second.count == 4)
        #expect(try s.verify().passed)
        // The window then has nothing to do.
        let (delta, imported) = try PrecopyDelta.run(file: s.mbox, maildir: s.maildir, options: s.options, ledger: second)
        #expect(delta == PrecopyDeltaReport())
        #expect(imported.imported == 0)
    }

    /// A pre-copy killed after storing every message but before its ledger is not "done": its
    /// resume runs it again, so the window has a ledger to take the delta against.
    @Test func aPrecopyWithoutItsLedgerIsNotDone() async throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let store = StoreTarget(kind: .maildir, host: "store", maildir: s.maildir)
        var parameters = MailboxImportParameters(mbox: s.mbox, format: "mboxrd", timezone: "UTC", store: store, lock: false)
        parameters.precopyPasses = 1
        let step = StepInstance(index: 0, id: "b/precopy/alice", action: .mailboxImport(parameters), template: 0, batch: "b",
            user: "alice", users: [], host: nil, fingerprint: Fingerprint(fields: ["p"]), label: nil, reversible: true)
        let runner = MailboxImportRunner(transport: LocalTransport())
        _ = try MboxImport.run(file: s.mbox, maildir: s.maildir, options: s.options)  // the import, then the kill
        #expect(try await runner.inspect(step, context: StepContext(dryRun: false)).state == .pending)

        let outputs = try await runner.apply(step, context: StepContext(dryRun: false))
        let journaled = try #require(outputs.decode(PrecopyOutputs.self))
        #expect(journaled.ledgerEntries == 4)
        #expect(try await runner.inspect(step, context: StepContext(dryRun: false, previousOutputs: outputs)).state == .done)
        // A ledger replaced behind mailshift's back is not the journaled one: run again.
        try PrecopyLedger(names: ["x"]).write(maildir: s.maildir)
        #expect(try await runner.inspect(step, context: StepContext(dryRun: false, previousOutputs: outputs)).state == .pending)
    }
}
