import Foundation
@testable import Journal
import MailshiftTestSupport
import Steps
import Testing

/// Done records carry when the step finished (downtime is measured from them); journals written
/// before that stay readable.
@Suite struct CompletionTimeTests {
    func header(_ graph: StepGraph) -> JournalHeader {
        JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
    }

    @Test func aDoneRecordsTimeSurvivesTheJournalAndCompaction() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        let outputs: StepOutputs = ["messages": "3", "at": "@7"]
        try await store.append([.done(graph.step(1), how: "applied", outputs: outputs, at: 1_764_640_000_123)])
        store.close()
        var state = try JournalState.load(from: store, for: graph)
        #expect(state.finishedAt[1] == 1_764_640_000_123)
        // The time is no output: a later step reads the outputs it was given, nothing more.
        #expect(state.outputs[1] == outputs)

        try store.rewrite(header: header(graph), records: state.compactedRecords(for: graph))
        state = try JournalState.load(from: store, for: graph)
        #expect(state.finishedAt[1] == 1_764_640_000_123)
        #expect(state.outputs[1] == outputs)
        #expect(state.status[1] == .done)
    }

    @Test func aJournalWrittenBeforeTimesWereRecordedReadsWithoutThem() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        try await store.append([.done(graph.step(1), how: "applied", outputs: ["messages": "3"])])
        store.close()
        let state = try JournalState.load(from: store, for: graph)
        #expect(state.status[1] == .done)
        #expect(state.finishedAt[1] == nil)
        #expect(state.outputs[1] == ["messages": "3"])
    }

    @Test func aRollbackForgetsTheTime() {
        let graph = sampleGraph()
        var state = JournalState(stepCount: graph.stepCount)
        let step = graph.step(0)
        for r in [JournalRecord.done(step, how: "applied", outputs: [:], at: 5_000), .rolledBack(step, by: "ops", at: "t")] {
            state.apply(r)
        }
        #expect(state.finishedAt[0] == nil)
        #expect(state.status[0] == .pending)
    }

    @Test func aFieldThatOnlyLooksLikeATimeIsNotOne() {
        let step = sampleGraph().step(0)
        // Outputs are `key=value`; an over-long `@` field (beyond any real time) is refused.
        let long = JournalRecord(kind: .done, index: 0, fingerprint: "f", stepID: step.id,
            detail: ["applied", "@" + String(repeating: "9", count: 40)])
        #expect(long.finishedAt == nil)
        #expect(JournalRecord.done(step, how: "applied", outputs: ["k": "@12"]).finishedAt == nil)
        #expect(JournalRecord.done(step, how: "applied", outputs: [:], at: 12).finishedAt == 12)
    }
}
