import Executor
import ExecutorHarness
import Foundation
import Journal
import Steps
import Testing

@Suite struct ExecutorTests {
    @Test func runsEveryStepOnceWithinTheLimits() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 40, parallel: 4, perHost: 2, hosts: 2)
        let runner = FileEffectRunner(root: f.root, graph: graph, applyDelay: 5_000)
        let report = try await f.run(graph, runner: runner)
        #expect(report.outcome == .completed)
        #expect(report.applied == graph.stepCount)
        #expect(FileEffectRunner.snapshot(root: f.root).count == graph.stepCount)
        #expect(runner.maxRunning <= 4)
        #expect(runner.maxRunning >= 3)  // the limit is reached, not just respected
        #expect(runner.maxRunningPerHost.values.allSatisfy { $0 <= 2 })
        #expect(try f.state(graph).isComplete)

        // A second run finds everything done in the journal: nothing is applied again.
        let again = try await f.run(graph, runner: runner)
        #expect(again.outcome == .completed)
        #expect(again.applied == 0)
        #expect(runner.applyCount == graph.stepCount)
    }

    @Test func aFailureSkipsOnlyItsDependentsAndIsTheOnlyOneReported() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 10, parallel: 4)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        runner.permanentFailures = ["second/copy/user7"]
        let report = try await f.run(graph, runner: runner)
        #expect(report.outcome == .failed)
        #expect(report.failures.map(\.stepID) == ["second/copy/user7"])
        // Skipped: its check and seal, and the summary.
        #expect(report.skipped == 3)
        // Every other step, including the rest of the second batch, ran.
        #expect(report.applied == graph.stepCount - 4)
        let state = try f.state(graph)
        #expect(state.failures.values.map(\.summary) == ["second/copy/user7: refused by the test"])
        #expect(state.status.filter { $0 == .skipped }.count == 3)

        // Fixed: a resume runs the failed step and what it blocked.
        runner.permanentFailures = []
        let resumed = try await f.run(graph, runner: runner)
        #expect(resumed.outcome == .completed)
        #expect(resumed.applied == 4)
    }

    @Test func transientFailuresAreRetriedPermanentOnesAreNot() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 4, retries: 3, backoff: 0.001)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        runner.transientFailures = ["first/copy/user0": 2, "first/copy/user1": 5]
        runner.permanentFailures = ["first/check/user0"]
        let report = try await f.run(graph, runner: runner)
        #expect(runner.attempts(of: "first/copy/user0") == 3)  // two busy, then success
        #expect(runner.attempts(of: "first/copy/user1") == 3)  // gave up after 3 attempts
        #expect(runner.attempts(of: "first/check/user0") == 1)
        #expect(Set(report.failures.map(\.stepID)) == ["first/copy/user1", "first/check/user0"])
        #expect(report.failures.first { $0.stepID == "first/copy/user1" }?.transient == true)
    }

    @Test func maxFailuresStopsTheBatch() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 40, parallel: 1, maxFailures: 1)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        runner.permanentFailures = ["first/copy/user0", "first/copy/user1", "first/copy/user2"]
        let report = try await f.run(graph, runner: runner)
        #expect(report.outcome == .failed)
        #expect(report.stoppedBatches.map(\.batch) == ["first"])
        #expect(report.failures.count == 2)  // the second failure stopped the batch before the third
        #expect(runner.attempts(of: "first/copy/user2") == 0)
        #expect(report.notRun > 0)
    }

    @Test func aStepTimesOut() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 2, retries: 1, timeout: 0.05)
        let runner = FileEffectRunner(root: f.root, graph: graph, applyDelay: 500_000)
        let report = try await f.run(graph, runner: runner)
        #expect(report.outcome == .failed)
        #expect(report.failures.first?.summary.contains("timed out") == true)
    }

    @Test func aKindWithoutADriverFailsPermanently() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 2)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        let report = try await f.run(graph, runner: runner, runners: { kind in kind == .mailboxVerify ? nil : runner })
        // The first batch's verify fails; the second batch waits on it, so it is skipped, not failed.
        #expect(report.failures.count == 1)
        #expect(report.failures.allSatisfy { $0.summary == "no driver for mailbox.verify" && !$0.transient })
        #expect(report.skipped == 5)
    }

    @Test func aGateStopsTheRunUntilApproved() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 4, gate: true)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        let report = try await f.run(graph, runner: runner)
        #expect(report.outcome == .awaitingApproval)
        #expect(report.gates.map(\.stepID).sorted() == ["first/gate", "second/gate"])
        #expect(report.gates.first?.message.contains("repointed") == true)
        #expect(FileManager.default.fileExists(atPath: runner.path(of: "first/seal/user0")) == false)
        #expect(try f.state(graph).waiting.count == 2)

        // Approve one gate the way `mailshift approve` does, then resume.
        let store = f.store
        let lease = try store.acquireLock(command: "approve")
        let state = try f.state(graph)
        let gate = try #require(StepLocator(graph: graph).index(of: "first/gate"))
        try store.beginAppending(header: try #require(state.header))
        try store.appendNow([.approved(graph.step(gate), by: "test", at: "now")])
        store.close()
        lease.release()
        let resumed = try await f.run(graph, runner: runner)
        #expect(resumed.outcome == .awaitingApproval)
        #expect(resumed.gates.map(\.stepID) == ["second/gate"])
        #expect(FileManager.default.fileExists(atPath: runner.path(of: "first/seal/user0")))

        let auto = try ExecutorFixture()
        defer { auto.remove() }
        let autoGraph = HarnessGraph.make(users: 4, gate: true, autoApprove: true)
        let autoReport = try await auto.run(autoGraph, runner: FileEffectRunner(root: auto.root, graph: autoGraph))
        #expect(autoReport.outcome == .completed)
    }

    @Test func dryRunInspectsOnlyAndChangesNothing() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 6)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        runner.permanentFailures = ["second/seal/user5"]
        _ = try await f.run(graph, runner: runner)
        let filesBefore = FileEffectRunner.snapshot(root: f.root)
        let journalBefore = f.journalText()
        let applies = runner.applyCount

        let report = try await f.run(graph, runner: runner, options: RunOptions(mode: .dryRun))
        #expect(FileEffectRunner.snapshot(root: f.root) == filesBefore)
        #expect(f.journalText() == journalBefore)
        #expect(runner.applyCount == applies)
        let preview = try #require(report.preview)
        #expect(preview.totals.toChange == 2)  // the failed seal and the summary behind it
        #expect(preview.totals.done == graph.stepCount - 2)
        let detail = preview.render(detail: true)
        #expect(detail.contains("batch second: 1 to change, 0 unknown, 8 already done\n  second/seal/user5\n    + write second/seal/user5\n"))
        #expect(detail.contains("batch first: 0 to change, 0 unknown, 9 already done\n"))
        // Global steps in their place in the graph (the summary comes after the batches), once.
        let text = preview.render()
        let lines = text.split(separator: "\n").map(String.init)
        let global = try #require(lines.firstIndex(of: "step summary: + write summary"))
        let second = try #require(lines.firstIndex(of: "batch second: 1 to change, 0 unknown, 8 already done"))
        #expect(second < global)
        #expect(lines.contains("    e.g. second/seal/user5: + write second/seal/user5"))
        #expect(!text.contains("batch -"))
        #expect(text.hasSuffix("Plan: 2 to change, 0 unknown, 18 already done; 2 messages, 128 B to import.\n"))
        // The JSON document: every step, in graph order, with its action.
        let document = preview.document()
        #expect(document.format == 1 && document.steps.count == graph.stepCount)
        #expect(document.steps.filter { $0.action == "change" }.map(\.id).sorted() == ["second/seal/user5", "summary"])
        #expect(document.steps.map(\.id) == (0..<graph.stepCount).map { graph.stepID($0) })
    }

    @Test func anInterruptedRunResumesWithoutRedoingWork() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 60, parallel: 4)
        let runner = FileEffectRunner(root: f.root, graph: graph, applyDelay: 2_000)
        let control = RunControl()
        let events = EventLog()
        events.onStepFinished = { n in if n == 30 { control.stop() } }
        let first = try await f.run(graph, runner: runner, control: control, observer: events)
        #expect(first.outcome == .interrupted)
        #expect(first.applied >= 30 && first.applied < graph.stepCount)
        let second = try await f.run(graph, runner: runner)
        #expect(second.outcome == .completed)
        #expect(first.applied + second.applied == graph.stepCount)
        #expect(runner.applyCount == graph.stepCount)
    }

    @Test func secretsNeverReachTheJournal() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 2)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        runner.extraOutputs = ["setup": ["bind": "cn=x password=hunter2hunter2"]]
        let report = try await f.run(graph, runner: runner, options: RunOptions(secrets: ["hunter2hunter2"]))
        #expect(report.outcome == .completed)
        #expect(!f.journalText().contains("hunter2"))
        #expect(f.journalText().contains("password=[redacted]"))
    }

    @Test func aResumeAfterAPlanEditRerunsTheChangedStepsOnly() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let v1 = HarnessGraph.make(users: 6, sealParameter: "v1")
        let runner1 = FileEffectRunner(root: f.root, graph: v1)
        #expect(try await f.run(v1, runner: runner1).outcome == .completed)
        // Seal steps changed: they and the summary run again (their old effects are removed by the
        // "operator" here, since the test runner refuses to apply twice).
        let v2 = HarnessGraph.make(users: 6, sealParameter: "v2")
        for id in (0..<v2.stepCount).map(v2.stepID) where id.contains("/seal/") || id == "summary" {
            try FileManager.default.removeItem(atPath: runner1.path(of: id))
        }
        let runner2 = FileEffectRunner(root: f.root, graph: v2)
        let state = try f.state(v2)
        #expect(state.change?.changed.count == 6)
        #expect(state.change?.invalidated == ["summary"])
        let report = try await f.run(v2, runner: runner2)
        #expect(report.outcome == .completed)
        #expect(report.applied == 7)
        // The journal is now bound to v2: a further resume is the fast path with nothing to do.
        let after = try f.state(v2)
        #expect(after.change == nil)
        #expect(after.isComplete)
    }

    @Test func aJournalGrownByManyRunsIsCompactedBeforeTheNext() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 4)
        let runner = FileEffectRunner(root: f.root, graph: graph)
        runner.permanentFailures = ["first/copy/user0"]
        _ = try await f.run(graph, runner: runner)
        // Pad the log with harmless records (a step checkpointing over and over) past the threshold.
        let store = f.store
        let lease = try store.acquireLock(command: "pad")
        try store.beginAppending(header: try #require(try f.state(graph).header))
        let step = graph.step(1)
        try await store.append((0..<10_001).map { _ in .checkpoint(step, outputs: ["n": "1"]) })
        store.close()
        lease.release()
        let before = try f.state(graph)
        #expect(before.recordCount > 10_000)

        runner.permanentFailures = []
        let report = try await f.run(graph, runner: runner)
        #expect(report.outcome == .completed)
        let after = try f.state(graph)
        #expect(after.isComplete)
        #expect(after.recordCount < 100)
        #expect(after.outputs[1]?["n"] == "1")
    }

    @Test func aSecondSignalCancelsRunningStepsAndTheJournalStaysResumable() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 20, parallel: 4)
        let runner = FileEffectRunner(root: f.root, graph: graph, applyDelay: 1_000_000)
        let control = RunControl()
        let events = EventLog()
        // Once two copies are inside their (1 s) apply, signal twice: stop, then cancel.
        let signaller = Task {
            while runner.applyCount < 3 { try? await Task.sleep(nanoseconds: 5_000_000) }
            control.signalReceived()
            control.signalReceived()
        }
        defer { signaller.cancel() }
        let first = try await f.run(graph, runner: runner, control: control, observer: events)
        #expect(first.outcome == .interrupted)
        #expect(first.failures.isEmpty)
        #expect(first.applied == 1)
        #expect(runner.applyCount > first.applied)  // some applies were cancelled mid-way
        runner.applyDelay = 0
        let second = try await f.run(graph, runner: runner)
        #expect(second.outcome == .completed)
        #expect(FileEffectRunner.snapshot(root: f.root).count == graph.stepCount)
    }

    @Test func slowStepsAreNotJournaledAsStartedLongBeforeTheyAct() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = HarnessGraph.make(users: 30, parallel: 2, perHost: 2, hosts: 0)
        let runner = FileEffectRunner(root: f.root, graph: graph, applyDelay: 40_000)
        let events = EventLog()
        let store = f.store
        let maxStarted = Counter()
        events.onStepFinished = { _ in
            if let state = try? JournalState.load(from: store, for: graph) {
                maxStarted.max(state.status.count { $0 == .started })
            }
        }
        let report = try await f.run(graph, runner: runner, observer: events)
        #expect(report.outcome == .completed)
        // Two act at a time; the window stays within a few times its minimum (2 × parallel; how
        // close depends on the disk's flush latency under load), far below its cap of 1,024.
        #expect(maxStarted.value <= 24)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var value = 0
    func max(_ n: Int) { lock.withLock { value = Swift.max(value, n) } }
}
