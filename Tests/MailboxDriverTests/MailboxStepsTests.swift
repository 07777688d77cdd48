import CommandDriver
import Digest
import Foundation
import Lab
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// The step runners against real files, with the journal's outputs kept in a dictionary.
@Suite struct MailboxStepsTests {
    final class Journal: @unchecked Sendable {
        private let lock = NSLock()
        private var outputs: [String: StepOutputs] = [:]
        func record(_ id: String, _ o: StepOutputs) { lock.withLock { outputs[id] = o } }
        func get(_ id: String) -> StepOutputs? { lock.withLock { outputs[id] } }
        var context: StepContext { StepContext(dryRun: false, outputs: { [self] in get($0) }) }
    }

    static func step(_ id: String, _ action: StepAction) -> StepInstance {
        StepInstance(
            index: 0, id: id, action: action, template: 0, batch: "b1", user: "alice", users: [], host: nil,
            fingerprint: Fingerprint(fields: [id]), label: nil, reversible: action.kind != .sourceRetire)
    }

    static func maildirStore(_ maildir: String) -> StoreTarget { StoreTarget(kind: .maildir, host: "store", maildir: maildir) }
    static func ref(_ id: String) -> StepReference { StepReference(idPrefix: id, sameUser: false) }

    struct Fixture {
        let dir: TemporaryDirectory
        let mbox: String
        let maildir: String
        let manifest: MboxCorpus.Manifest
        let journal = Journal()
        var importStep: StepInstance {
            MailboxStepsTests.step(
                "import-alice",
                .mailboxImport(
                    MailboxImportParameters(
                        mbox: mbox, format: "auto", timezone: "UTC", store: MailboxStepsTests.maildirStore(maildir), lock: true)))
        }
        var verifyStep: StepInstance {
            MailboxStepsTests.step(
                "verify-alice",
                .mailboxVerify(
                    MailboxVerifyParameters(
                        mbox: mbox, timezone: "UTC", store: MailboxStepsTests.maildirStore(maildir), mode: .digest,
                        importStep: MailboxStepsTests.ref("import-alice"))))
        }
        func retireStep(_ mode: RetireMode) -> StepInstance {
            MailboxStepsTests.step(
                "retire-alice",
                .sourceRetire(
                    SourceRetireParameters(mbox: mbox, mode: mode, archiveDir: dir.file("archive"), verifyStep: MailboxStepsTests.ref("verify-alice"))))
        }

        init(_ variant: MboxCorpus.Variant = .solaris) throws {
            dir = try TemporaryDirectory(prefix: "steps")
            mbox = dir.file("alice")
            maildir = dir.file("Maildir")
            manifest = try MboxCorpus.write(to: mbox, options: .init(seed: 17, messages: 30, variant: variant))
        }
    }

    @Test func importThenVerifyThenArchive() async throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let importer = MailboxImportRunner(transport: LocalTransport())
        let before = try await importer.inspect(f.importStep, context: f.journal.context)
        #expect(before.state == .pending)
        #expect(before.changes.first?.line.hasPrefix("+ import 30 messages") == true)
        #expect(before.changes.first?.messages == 30)
        let out = try await importer.apply(f.importStep, context: f.journal.context)
        f.journal.record("import-alice", out)
        #expect(out["messages"] == "30")
        #expect(out["variant"] == "solaris")
        #expect(out["source_identity"] == SourceIdentity.of(f.mbox)?.description)
        #expect(try await importer.inspect(f.importStep, context: f.journal.context).state == .done)
        #expect(try await importer.apply(f.importStep, context: f.journal.context)["imported"] == "0")

        let verifier = MailboxVerifyRunner(transport: LocalTransport())
        let v = try await verifier.apply(f.verifyStep, context: f.journal.context)
        #expect(v["passed"] == "true")
        f.journal.record("verify-alice", v)

        let retire = SourceRetireRunner(transport: LocalTransport())
        let plan = try await retire.inspect(f.retireStep(.archive), context: f.journal.context)
        #expect(plan.changes.first?.line == "! irreversible: archive \(f.mbox) → \(f.dir.file("archive/alice"))")
        let r = try await retire.apply(f.retireStep(.archive), context: f.journal.context)
        #expect(r["archived_to"] == f.dir.file("archive/alice"))
        #expect(!FileManager.default.fileExists(atPath: f.mbox))
        #expect(FileManager.default.fileExists(atPath: f.dir.file("archive/alice")))
        #expect(try await retire.inspect(f.retireStep(.archive), context: f.journal.context).state == .done)
        _ = try await retire.apply(f.retireStep(.archive), context: f.journal.context)  // idempotent
    }

    @Test func retireRefusedBeforeVerifyAndWhenTheSourceGrew() async throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let retire = SourceRetireRunner(transport: LocalTransport())
        await #expect(throws: StepRefusal.self) { try await retire.apply(f.retireStep(.delete), context: f.journal.context) }
        #expect(FileManager.default.fileExists(atPath: f.mbox))

        f.journal.record("import-alice", try await MailboxImportRunner(transport: LocalTransport()).apply(f.importStep, context: f.journal.context))
        f.journal.record("verify-alice", try await MailboxVerifyRunner(transport: LocalTransport()).apply(f.verifyStep, context: f.journal.context))
        // New mail arrives after verify.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: f.mbox))
        try h.seekToEnd()
        try h.write(contentsOf: Data("From late@example.com Mon Jan  1 00:00:00 2024\nContent-Length: 3\n\nhi\n\n".utf8))
        try h.close()
        do {
            _ = try await retire.apply(f.retireStep(.delete), context: f.journal.context)
            Issue.record("retire acted on a grown source")
        } catch let e as MailboxFailure {
            #expect(e.summary.contains("changed since verify (+"))
        }
        #expect(FileManager.default.fileExists(atPath: f.mbox))
    }

    @Test func verifyFailsListingMissingMessages() async throws {
        let f = try Fixture(.mboxrd)
        defer { f.dir.remove() }
        f.journal.record("import-alice", try await MailboxImportRunner(transport: LocalTransport()).apply(f.importStep, context: f.journal.context))
        let victim = MaildirIndex.files(f.maildir).sorted()[3]
        try FileManager.default.removeItem(atPath: victim)
        do {
            _ = try await MailboxVerifyRunner(transport: LocalTransport()).apply(f.verifyStep, context: f.journal.context)
            Issue.record("verify passed with a message missing")
        } catch let e as VerifyFailure {
            #expect(e.missing.count == 1)
            #expect(e.extra.isEmpty)
        }
    }

    @Test func savedMailIsDeduplicatedAndHoldSpoolReleased() async throws {
        let f = try Fixture(.mboxrd)
        defer { f.dir.remove() }
        f.journal.record("import-alice", try await MailboxImportRunner(transport: LocalTransport()).apply(f.importStep, context: f.journal.context))
        // The saved file (mboxo, as sendmail's file mailer writes): 2 messages also in the spool, 1 new.
        let spoolText = try String(contentsOfFile: f.mbox, encoding: .utf8)
        let firstTwo = spoolText.components(separatedBy: "\nFrom ").prefix(2).joined(separator: "\nFrom ")
        let saved = f.dir.file("saved")
        let fresh = "From new@example.com Tue Feb  4 10:00:00 2025\nSubject: arrived during the move\n\n>From the road\n\n"
        try Data((firstTwo + "\n" + fresh).utf8).write(to: URL(fileURLWithPath: saved))
        let step = Self.step("saved-alice", .savedImport(SavedImportParameters(savedPath: saved, timezone: "UTC", store: Self.maildirStore(f.maildir))))
        let runner = SavedImportRunner(transport: LocalTransport())
        let out = try await runner.apply(step, context: f.journal.context)
        #expect(out["messages"] == "3")
        #expect(out["imported"] == "1")
        #expect(out["duplicates"] == "2")
        #expect(try await runner.inspect(step, context: f.journal.context).state == .done)
        #expect(try await runner.apply(step, context: f.journal.context)["imported"] == "0")
        #expect(MaildirIndex.files(f.maildir).count == 31)

        let spool = f.dir.file("hold")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        try Data("From held@example.com Wed Mar  5 12:00:00 2025\nSubject: held 1\n\nbody\n".utf8).write(to: URL(fileURLWithPath: spool + "/ZZ01.HELD"))
        try Data("Subject: held 2\n\nbody two\n".utf8).write(to: URL(fileURLWithPath: spool + "/ZZ02.HELD"))
        let hold = Self.step("hold-alice", .holdRelease(HoldReleaseParameters(spoolDir: spool, timezone: "UTC", store: Self.maildirStore(f.maildir))))
        let hr = HoldReleaseRunner(transport: LocalTransport())
        #expect(try await hr.inspect(hold, context: f.journal.context).changes.first?.messages == 2)
        let h = try await hr.apply(hold, context: f.journal.context)
        #expect(h["imported"] == "2")
        #expect(try await hr.inspect(hold, context: f.journal.context).state == .done)
        #expect(try await hr.apply(hold, context: f.journal.context)["imported"] == "0")
        let held = MaildirIndex.scan(f.maildir).values.filter { $0.tag.hasPrefix("h") }
        #expect(held.map(\.date).contains(1_741_176_000))
    }
}

extension MailboxStepsTests {
    /// `store_kind: command`: count before (checkpointed), the import command, count after; the
    /// verify compares the growth; a resumed step whose count already grew does not re-run it.
    @Test func commandStoreCountsBeforeAndAfter() async throws {
        let bin = try #require(ChildProcess.mailshift, "build the mailshift product first")
        let f = try Fixture(.mboxcl2)
        defer { f.dir.remove() }
        for sub in ["new", "cur", "tmp"] { try FileManager.default.createDirectory(atPath: f.maildir + "/" + sub, withIntermediateDirectories: true) }
        let count = ["/usr/bin/du", "--inodes", "-s", f.maildir]  // prints "<inodes>\t<dir>"
        let store = StoreTarget(
            kind: .command, host: "store", importArgv: [bin, "mbox", "import", f.mbox, "--maildir", f.maildir, "--timezone", "UTC"],
            countArgv: count)
        let importStep = Self.step(
            "import-alice", .mailboxImport(MailboxImportParameters(mbox: f.mbox, format: "auto", timezone: "UTC", store: store, lock: false)))
        let verifyStep = Self.step(
            "verify-alice",
            .mailboxVerify(MailboxVerifyParameters(mbox: f.mbox, timezone: "UTC", store: store, mode: .count, importStep: Self.ref("import-alice"))))
        let checkpoints = Journal()
        let context = StepContext(dryRun: false, checkpoint: { checkpoints.record("cp", $0) })
        let runner = MailboxImportRunner(transport: LocalTransport())
        let out = try await runner.apply(importStep, context: context)
        #expect(out["messages"] == "30")
        #expect(checkpoints.get("cp")?["count_before"] == out["count_before"])
        f.journal.record("import-alice", out)
        let v = try await MailboxVerifyRunner(transport: LocalTransport()).apply(verifyStep, context: f.journal.context)
        #expect(v["passed"] == "true")
        // Resume after the command ran but before the step was recorded: no second run.
        let resumed = StepContext(dryRun: false, previousOutputs: checkpoints.get("cp"))
        let again = try await runner.apply(importStep, context: resumed)
        #expect(again["count_after"] == out["count_after"])
    }
}
