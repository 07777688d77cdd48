import CommandDriver
import Digest
import Executor
import Foundation
import Journal
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// Mail appended to a spool between its import and its verify ends in the store, exactly once,
/// with no person running `mbox import` by hand: the executor imports the arrivals and verifies
/// again, a bounded number of times.
@Suite struct ArrivalCatchUpTests {
    /// The real import runner, appending `plan[n]` messages to the spool after its n-th apply
    /// (as if the MTA delivered them right after the import read the file).
    final class ArrivingImport: StepRunner, @unchecked Sendable {
        let inner = MailboxImportRunner(transport: LocalTransport())
        let mbox: String
        let lock = NSLock()
        var plan: [Int]
        var applies = 0
        var appended = 0

        init(mbox: String, plan: [Int]) {
            self.mbox = mbox
            self.plan = plan
        }

        func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
            try await inner.inspect(step, context: context)
        }

        func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
            let out = try await inner.apply(step, context: context)
            let n: Int = lock.withLock {
                defer { applies += 1 }
                return applies < plan.count ? plan[applies] : 0
            }
            for _ in 0..<n { try append() }
            return out
        }

        func append() throws {
            let k = lock.withLock {
                appended += 1
                return appended
            }
            try ArrivalCatchUpTests.appendMessage(to: mbox, subject: "late \(k)")
        }
    }

    static func message(_ subject: String) -> String {
        "From sender@example.org Tue Dec  1 10:00:00 2026\nFrom: sender@example.org\nTo: alice@example.org\n"
            + "Subject: \(subject)\nDate: Tue, 1 Dec 2026 10:00:00 +0000\n\nbody of \(subject)\n\n"
    }

    static func appendMessage(to path: String, subject: String) throws {
        let h = try #require(FileHandle(forWritingAtPath: path))
        h.seekToEndOfFile()
        h.write(Data(message(subject).utf8))
        try h.close()
    }

    struct Scene {
        let dir: TemporaryDirectory
        let mbox: String
        let maildir: String
        let graph: StepGraph
        var store: FileJournalStore { FileJournalStore(directory: dir.file("state")) }

        init() throws {
            dir = try TemporaryDirectory(prefix: "arrivals")
            mbox = dir.file("alice")
            maildir = dir.file("Maildir")
            try (1...3).map { ArrivalCatchUpTests.message("early \($0)") }.joined().write(toFile: mbox, atomically: true, encoding: .utf8)
            let target = StoreTarget(kind: .maildir, host: "store", maildir: maildir)
            let templates = [
                StepTemplate(idPrefix: "pilot/import",
                    action: .mailboxImport(MailboxImportParameters(mbox: mbox, format: "mboxrd", timezone: "UTC", store: target, lock: false)),
                    batch: 0, fanout: .perUser),
                StepTemplate(idPrefix: "pilot/verify",
                    action: .mailboxVerify(MailboxVerifyParameters(mbox: mbox, timezone: "UTC", store: target, mode: .digest,
                        importStep: StepReference(idPrefix: "pilot/import", sameUser: true))),
                    batch: 0, fanout: .perUser, dependencies: [.sameUser(0)]),
            ]
            graph = StepGraph(planName: "arrivals", strategy: "proxy", users: ["alice"],
                batches: [BatchInfo(name: "pilot", users: 0..<1, usersFingerprint: Fingerprint(fields: ["alice"]))],
                templates: templates)
        }

        func run(_ importer: ArrivingImport) async throws -> RunReport {
            let store = self.store
            let lease = try store.acquireLock(command: "test")
            defer { lease.release() }
            let executor = Executor(graph: graph, store: store, runners: { kind in
                switch kind {
                case .mailboxImport: importer
                case .mailboxVerify: MailboxVerifyRunner(transport: LocalTransport())
                default: nil
                }
            })
            return try await executor.run(from: try JournalState.load(from: store, for: graph))
        }

        /// Every message file in the Maildir.
        var stored: [String] {
            ["new", "cur"].flatMap { sub in
                ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + sub)) ?? []).map { sub + "/" + $0 }
            }
        }

        /// The subjects stored, one per file.
        var storedSubjects: [String] {
            stored.compactMap { name in
                let text = (try? String(contentsOfFile: maildir + "/" + name, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst(9)) }
            }.sorted()
        }
    }

    @Test func mailArrivingBetweenImportAndVerifyIsImportedAndVerified() async throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let importer = ArrivingImport(mbox: s.mbox, plan: [2, 1])
        let report = try await s.run(importer)
        #expect(report.outcome == .completed, "\(report.failures.map(\.summary))")
        #expect(importer.applies == 3, "the first import and two catch-up rounds")
        #expect(s.storedSubjects == ["early 1", "early 2", "early 3", "late 1", "late 2", "late 3"])
        let verify = try MailboxVerify.run(file: s.mbox, maildir: s.maildir, variant: .mboxrd, timeZone: TimeZone(identifier: "UTC")!,
            mode: .digest)
        #expect(verify.passed && verify.sourceMessages == 6 && verify.destinationMessages == 6)
        // The journal holds the import's latest outputs: the whole mailbox as the last round read it.
        let state = try JournalState.load(from: s.store, for: s.graph)
        #expect(state.isComplete)
        let imported = try #require(state.outputs[0]?.decode(MailboxImportOutputs.self))
        #expect(imported.messages == 6)
        #expect(imported.imported == 1, "the last round stored only the newest arrival")
        #expect(state.outputs[1]?.decode(MailboxVerifyOutputs.self)?.messages == 6)
    }

    @Test func mailStillArrivingAfterTheBoundFailsThenAResumeFinishes() async throws {
        let s = try Scene()
        defer { s.dir.remove() }
        // One arrival after every import: the first and three catch-up rounds.
        let importer = ArrivingImport(mbox: s.mbox, plan: [1, 1, 1, 1])
        let first = try await s.run(importer)
        #expect(first.outcome == .failed)
        let failure = try #require(first.failures.first)
        #expect(failure.summary.contains("1 messages arrived after the import, still arriving after 3 rounds"), "\(failure.summary)")
        #expect(importer.applies == 4)
        #expect(s.storedSubjects.count == 6, "every message but the last arrival is stored")

        // Delivery stopped: the resume verifies, finds the last arrival, imports it, verifies.
        let resumed = try await s.run(importer)
        #expect(resumed.outcome == .completed, "\(resumed.failures.map(\.summary))")
        #expect(s.storedSubjects == (1...3).map { "early \($0)" } + (1...4).map { "late \($0)" })
    }

    @Test func aMessageLostFromThePartTheImportReadIsNoArrival() async throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let importer = ArrivingImport(mbox: s.mbox, plan: [1])
        // Import, then lose a stored message and add an arrival: verify must not paper over the loss.
        final class Loser: StepRunner, @unchecked Sendable {
            let inner: ArrivingImport
            let maildir: String
            init(_ inner: ArrivingImport, maildir: String) {
                self.inner = inner
                self.maildir = maildir
            }
            func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
                try await inner.inspect(step, context: context)
            }
            func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
                let out = try await inner.apply(step, context: context)
                let names = ["new", "cur"].flatMap { sub in
                    ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + sub)) ?? []).map { sub + "/" + $0 }
                }.sorted()
                let victim = try #require(names.first)
                try FileManager.default.removeItem(atPath: maildir + "/" + victim)
                return out
            }
        }
        let loser = Loser(importer, maildir: s.maildir)
        let store = s.store
        let lease = try store.acquireLock(command: "test")
        defer { lease.release() }
        let report = try await Executor(graph: s.graph, store: store, runners: { kind in
            kind == .mailboxImport ? loser : kind == .mailboxVerify ? MailboxVerifyRunner(transport: LocalTransport()) : nil
        }).run(from: try JournalState.load(from: store, for: s.graph))
        #expect(report.outcome == .failed)
        #expect(report.failures.first?.summary.contains("2 missing, 0 extra") == true, "\(report.failures.map(\.summary))")
        #expect(importer.applies == 1, "no catch-up import ran")
    }
}
