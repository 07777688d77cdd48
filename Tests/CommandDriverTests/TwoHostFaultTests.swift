import CommandDriver
import Foundation
import Lab
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Faults on the two-host path, with real processes: each ends in a clear step failure, leaves
/// nothing partial in the store, and a second attempt (what a resume runs) completes without a
/// duplicate.
@Suite(.serialized) struct TwoHostFaultTests {
    static let agent = BuiltMailshift.path
    let base = TwoHostTransferTests()

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func anUnreachableStoreHostFailsBeforeTheSourceIsTouched() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = base.scene(hosts)
            try await hosts.write(TwoHostTransferTests.mailbox(3), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            var gone = hosts.storeEndpoint
            gone.port = try LoopbackPorts.one()
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: ["legacy": hosts.legacyEndpoint, "store": gone])
            do {
                _ = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
                Issue.record("an import to an unreachable store succeeded")
            } catch let error as any StepFailure {
                #expect(error.disposition == .transient, "\(error.summary)")
                #expect(error.summary.contains("store"), "\(error.summary)")
            }
            // No lock left behind, nothing read: the legacy spool holds the mailbox alone.
            #expect(try await hosts.files(under: hosts.spool, on: hosts.legacyEndpoint, with: transport) == [s.mbox])
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func anUnreachableSourceHostLeavesTheStoreUntouched() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            var s = base.scene(hosts)
            var gone = hosts.legacyEndpoint
            gone.port = try LoopbackPorts.one()
            s.importStep.host = gone
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: ["legacy": gone, "store": hosts.storeEndpoint])
            do {
                _ = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
                Issue.record("an import from an unreachable source succeeded")
            } catch let error as any StepFailure {
                #expect(error.disposition == .transient, "\(error.summary)")
                #expect(error.summary.contains("legacy"), "\(error.summary)")
            }
            #expect(try await hosts.files(under: hosts.storeRoot, on: hosts.storeEndpoint, with: transport).isEmpty)
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func aSourceSessionKilledMidStreamPublishesNothingAndTheRetryCompletes() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = base.scene(hosts)
            let count = 3000
            try await hosts.write(TwoHostTransferTests.mailbox(count, bodyLines: 120), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: hosts.hosts)
            let (importer, step) = (try #require(runners[.mailboxImport]), s.importStep)
            let attempt = Task { try await importer.apply(step, context: context) }

            // Once the source agent (the process on the legacy host reading the mailbox) has
            // sent 2 MB of it, so the store has messages staged, kill it: its session ends
            // mid-stream. (The store's staged files are each open only for a moment: a poll
            // for them missed every one on a loaded machine.)
            var killed: [Int32] = []
            let deadline = Date().addingTimeInterval(60)
            while killed.isEmpty && Date() < deadline {
                for pid in Self.pids(holding: s.mbox) where Self.bytesWritten(pid) > 2 << 20 && kill(pid, SIGKILL) == 0 { killed.append(pid) }
                // A sleep of this task, not of its thread: the relay runs on the same pool.
                try await Task.sleep(nanoseconds: 2_000_000)
            }
            #expect(!killed.isEmpty, "the source agent was caught mid-stream")
            do {
                _ = try await attempt.value
                Issue.record("the attempt succeeded although its source was killed")
            } catch let error as any StepFailure {
                #expect(error.disposition == .transient, "\(error.summary)")
                #expect(error.summary.contains("legacy") && error.summary.contains("mid-stream"), "\(error.summary)")
            }
            #expect(try await hosts.files(under: s.maildir, on: hosts.storeEndpoint, with: transport).isEmpty, "nothing partial visible")

            let retried = try await importer.apply(step, context: context)
            #expect(retried["imported"] == String(count))
            #expect(try await hosts.fileCount(under: s.maildir, on: hosts.storeEndpoint, with: transport) == count, "no duplicate")
            let verified = try await runners[.mailboxVerify]!.apply(
                s.verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in retried }))
            #expect(verified["passed"] == "true")
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func aStoreDiskFillingMidStreamPublishesNothingAndTheRetryCompletesOnceThereIsRoom() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with(storeDisk: "mode=0755,size=2m") { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = base.scene(hosts)
            let count = 1500  // about 4 MB stored: twice the store's disk
            try await hosts.write(TwoHostTransferTests.mailbox(count, bodyLines: 40), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: hosts.hosts)
            do {
                _ = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
                Issue.record("an import larger than the store's disk succeeded")
            } catch let error as any StepFailure {
                #expect(error.summary.hasPrefix("store: "), "\(error.summary)")
                #expect(error.summary.contains("No space left on device") || error.summary.contains("write failed"), "summary: \(error.summary)")
            }
            #expect(try await hosts.fileCount(under: s.maildir, on: hosts.storeEndpoint, with: transport) == 0, "nothing partial visible")
            // The administrator makes room; the resumed step completes.
            let grown = try await transport.run(["mount", "-o", "remount,size=64m", hosts.storeRoot], on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            #expect(grown.status == 0, "\(String(decoding: grown.stderr, as: UTF8.self))")
            let retried = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
            #expect(retried["imported"] == String(count))
            #expect(try await hosts.fileCount(under: s.maildir, on: hosts.storeEndpoint, with: transport) == count, "no duplicate")
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func mailArrivingAfterTheReadFailsVerifySoRetireWaitsAndTheNextImportAddsIt() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = base.scene(hosts)
            try await hosts.write(TwoHostTransferTests.mailbox(5), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: hosts.hosts)
            let imported = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
            // New mail lands on the legacy host after the import read the mailbox.
            let late = "From late@example.org Tue Jan  6 09:00:00 2026\nFrom: late@example.org\nSubject: late\n\narrived meanwhile\n\n"
            let appended = try await transport.run(["sh", "-c", #"cat >> "$1""#, "sh", s.mbox], on: hosts.legacyEndpoint, stdin: Data(late.utf8), timeout: 30)
            #expect(appended.status == 0)
            // Verify sees the message past the end of what the import read: an arrival (the
            // executor imports it and verifies again), not a loss.
            do {
                _ = try await runners[.mailboxVerify]!.apply(s.verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in imported }))
                Issue.record("verify passed although the source grew")
            } catch let arrivals as ArrivalsAfterImport {
                #expect(arrivals.arrived == 1, "\(arrivals.summary)")
            }
            let again = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
            #expect(again["imported"] == "1")
            #expect(again["present"] == "5")
            #expect(again["source_identity"] != imported["source_identity"])
            let verified = try await runners[.mailboxVerify]!.apply(s.verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in again }))
            #expect(verified["passed"] == "true")
            #expect(verified["source_identity"] == again["source_identity"], "retire would act on the identity the store side verified")
        }
    }

    /// Bytes process `pid` has written so far (`wchar` in /proc/PID/io; 0 when unreadable).
    static func bytesWritten(_ pid: Int32) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix("wchar:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    /// `mailshift` processes (the agents) with an open descriptor whose path contains `fragment`
    /// (this machine's /proc: the "hosts" share its process table, not its mounts). Only the
    /// agents' descriptors are listed: a scan of every process's, with a whole test run's daemons
    /// about, took longer than the stream it was meant to catch.
    static func pids(holding fragment: String) -> [Int32] {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != me else { return nil }
            guard (try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8))?.hasPrefix("mailshift") == true else { return nil }
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry)/fd")) ?? []
            for fd in fds {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(fd)"), target.contains(fragment) {
                    return pid
                }
            }
            return nil
        }
    }
}
