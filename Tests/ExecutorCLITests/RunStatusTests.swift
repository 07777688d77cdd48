import Executor
import ExecutorHarness
import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

@testable import MailshiftCLI

@Suite struct RunStatusTests {
    /// Runs the harness graph with one failure and gates, and returns the journal's state.
    func failedRun(_ dir: TemporaryDirectory) async throws -> (StepGraph, JournalState, RunReport) {
        let graph = HarnessGraph.make(users: 4, gate: true)
        let runner = FileEffectRunner(root: dir.file("root"), graph: graph)
        runner.permanentFailures = ["second/copy/user3"]
        let store = FileJournalStore(directory: dir.file("state"))
        let lease = try store.acquireLock(command: "test")
        defer { lease.release() }
        let report = try await Executor(graph: graph, store: store, runners: { _ in runner })
            .run(from: try JournalState.load(from: store, for: graph))
        return (graph, try JournalState.load(from: store, for: graph), report)
    }

    @Test func statusTextCountsPerBatchAndKindAndNamesFailuresAndGates() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (graph, state, _) = try await failedRun(dir)
        let text = RunStatus(graph: graph, state: state).text(planPath: "plan.yaml", location: "STATE", lock: nil)
        #expect(text.contains("journal STATE\nnot running\n"))
        #expect(text.contains("batch first: 4/7 done, 1 waiting\n"))
        // user3 is set aside: its check and seal are skipped; the rest of the batch reaches its gate.
        #expect(text.contains("batch second: 2/7 done, 1 failed, 2 skipped, 1 waiting\n  mailbox.import: 1/2 done, 1 failed\n"), "\(text)")
        // The failure reads back from the journal with the host the run named.
        #expect(text.contains("failures:\nsecond/copy/user3 (host host1): error: refused by the test\n"), "\(text)")
        #expect(text.contains(
            "waiting at gate first/gate: clients of first repointed?\n"
                + "  approve with `mailshift approve plan.yaml first/gate`, then `mailshift resume plan.yaml`\n"))
    }

    @Test func statusJSONIsParseableAndComplete() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (graph, state, _) = try await failedRun(dir)
        let holder = LockHolder(host: "h", pid: 42, started: "t", command: "run plan.yaml")
        let json = RunStatus(graph: graph, state: state).json(location: "STATE", lock: (holder, .alive))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["plan"] as? String == "harness")
        #expect((object["lock"] as? [String: Any])?["holder"] as? String == "alive")
        let failures = try #require(object["failures"] as? [[String: Any]])
        #expect(failures.map { $0["step"] as? String } == ["second/copy/user3"])
        let gates = try #require(object["gates"] as? [[String: Any]])
        #expect(gates.map { $0["step"] as? String } == ["first/gate", "second/gate"])
        let batches = try #require(object["batches"] as? [[String: Any]])
        #expect(batches.first { $0["name"] as? String == "second" }?["failed"] as? Int == 1)
        #expect(json.contains("\"second/copy/user3\""))  // slashes not escaped
    }

    @Test func summaryNamesRootCausesGatesAndHowToContinue() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (_, _, report) = try await failedRun(dir)
        let text = RunSummary(report: report, planPath: "plan.yaml", dryRun: false).text
        #expect(text.hasPrefix("mailshift: run finished with failures: "))
        #expect(text.contains("second/copy/user3 (host host1): error: refused by the test\n"))
        #expect(text.contains("skipped: 2 steps that depend on the failures above\n"), "\(text)")
        #expect(text.contains("batch second: 1 set aside, the rest went on: user3\n"))
        #expect(text.contains("waiting at gate first/gate: clients of first repointed?\n"))
        #expect(text.hasSuffix(
            "fix the causes, then `mailshift resume plan.yaml` runs the failed steps and what they blocked\n"))
    }

    @Test func planChangeTextListsWhatRunsAgainAndWhatWasRemoved() {
        var change = PlanChange(previousFingerprint: "0123456789abcdef")
        change.kept = 5
        change.changed = ["b/import/u1"]
        change.invalidated = ["b/verify/u1"]
        change.removed = ["b/import/u9"]
        #expect(PlanChangeText(change: change).text == """
            the plan changed since the journal was written (graph 0123456789ab → now):
              5 journaled steps unchanged
              1 changed (run again):
                b/import/u1
              1 downstream of a change (run again):
                b/verify/u1
              1 removed from the plan (left as they are):
                b/import/u9

            """)
    }
}
