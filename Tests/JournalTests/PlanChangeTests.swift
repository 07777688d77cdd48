import Journal
import MailshiftTestSupport
import Steps
import Testing

@Suite struct PlanChangeTests {
    /// Journals every step of `graph` up to (not including) template `upTo` as done.
    func journal(_ graph: StepGraph, doneTemplates: Range<Int>, in dir: TemporaryDirectory) async throws -> FileJournalStore {
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: JournalHeader(
            graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount))
        var records: [JournalRecord] = []
        for t in doneTemplates {
            for i in graph.steps(ofTemplate: t) {
                records.append(.done(graph.step(i), how: "applied", outputs: ["n": String(i)]))
            }
        }
        try await store.append(records)
        store.close()
        return store
    }

    @Test func sameGraphKeepsEverything() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = try await journal(graph, doneTemplates: 0..<2, in: dir)
        let state = try JournalState.load(from: store, for: graph)
        #expect(state.change == nil)
        #expect(state.status.filter { $0 == .done }.count == 5)
        #expect(state.outputs[1]?["n"] == "1")
    }

    @Test func changedStepRunsAgainWithItsDownstreamAndKeepsOutputs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let old = sampleGraph()
        let store = try await journal(old, doneTemplates: 0..<3, in: dir)
        let new = sampleGraph(importParameter: "v2")
        let state = try JournalState.load(from: store, for: new)
        let change = try #require(state.change)
        #expect(change.changed == ["pilot/import/u0", "pilot/import/u1", "pilot/import/u2", "pilot/import/u3"])
        #expect(change.invalidated.count == 4)  // the verifies
        #expect(change.kept == 1)  // prepare
        #expect(!change.isRefused)
        #expect(state.status[0] == .done)
        #expect(state.status[1] == .pending)
        #expect(state.outputs[1]?["n"] == "1")
    }

    @Test func removedStepsAreListedAndNewStepsArePending() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let old = sampleGraph(users: 4)
        let store = try await journal(old, doneTemplates: 0..<2, in: dir)
        let new = sampleGraph(users: 3)
        let state = try JournalState.load(from: store, for: new)
        let change = try #require(state.change)
        #expect(change.removed == ["pilot/import/u3"])
        // The batch's user list changed: the batch-scope prepare step changed too.
        #expect(change.changed == ["pilot/prepare"] || change.changed.isEmpty)
        #expect(state.status[new.stepCount - 1] == .pending)
    }

    @Test func refusesWhenAnIrreversibleStepAlreadyRanDownstreamOfAChange() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let old = sampleGraph()
        let store = try await journal(old, doneTemplates: 0..<4, in: dir)
        let state = try JournalState.load(from: store, for: sampleGraph(importParameter: "v2"))
        let change = try #require(state.change)
        #expect(change.refusals.count == 4)
        #expect(change.refusals.first?.description ==
            "pilot/retire/u0 is irreversible and already done, but pilot/import/u0, upstream of it, changed")

        let own = try JournalState.load(from: store, for: sampleGraph(retireParameter: .delete))
        #expect(own.change?.refusals.first?.description ==
            "pilot/retire/u0 is irreversible and already done, but its definition changed")
    }
}
