import Digest
import Executor
import ExecutorHarness
import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

/// No single user stalls a batch: a user whose part of a batch-wide step fails, or whose own step
/// fails, is set aside — their own steps after it are skipped, later batch-wide steps run without
/// them — and a resume retries them.
@Suite struct SetAsideTests {
    /// hold (batch-wide) → copy (per user) → release (batch-wide), in one batch of four users.
    static func graph() -> StepGraph {
        let users = ["ann", "bob", "cat", "dan"]
        let batch = BatchInfo(name: "b", users: 0..<4, usersFingerprint: Fingerprint(fields: users))
        let command = { (purpose: String) in StepAction.command(CommandParameters(purpose: purpose, argv: [purpose])) }
        let templates = [
            StepTemplate(idPrefix: "b/hold", action: command("hold"), batch: 0, batchUsersFingerprint: batch.usersFingerprint),
            StepTemplate(idPrefix: "b/copy", action: command("copy"), batch: 0, fanout: .perUser, dependencies: [.all(0)]),
            StepTemplate(idPrefix: "b/release", action: command("release"), batch: 0, batchUsersFingerprint: batch.usersFingerprint,
                dependencies: [.all(1)]),
            StepTemplate(idPrefix: "after", action: command("after"), dependencies: [.all(2)]),
        ]
        return StepGraph(planName: "aside", strategy: "simple", users: users, batches: [batch], templates: templates,
            policy: RunPolicy(retryAttempts: 1))
    }

    /// Records, per step id, the users each batch-wide run was given; fails as told.
    final class Runner: StepRunner, @unchecked Sendable {
        let lock = NSLock()
        var given: [String: [[String]]] = [:]
        var refuseInHold: Set<String> = []
        var failCopy: Set<String> = []

        func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection { .pending([]) }

        func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
            lock.withLock { given[step.id, default: []].append(Array(step.users)) }
            if step.id == "b/hold", !refuseInHold.isEmpty {
                let refused = Array(step.users).filter(refuseInHold.contains)
                if !refused.isEmpty {
                    throw UsersSetAside(refused.map { UsersSetAside.Part(user: $0, reason: "refused by the test") })
                }
            }
            if let user = step.user, failCopy.contains(user) { throw StepError.permanent("copy of \(user) refused") }
            return [:]
        }

        func runs(_ id: String) -> [[String]] { lock.withLock { given[id] ?? [] } }
    }

    /// One run (or resume) of the graph with every kind going to `runner`.
    static func run(_ f: ExecutorFixture, _ graph: StepGraph, _ runner: Runner) async throws -> RunReport {
        try await f.run(graph, runner: FileEffectRunner(root: f.root, graph: graph), runners: { _ in runner })
    }

    @Test func aUserRefusedByABatchStepIsSetAsideAndTheBatchGoesOn() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = Self.graph()
        let runner = Runner()
        runner.refuseInHold = ["bob"]
        let report = try await Self.run(f, graph, runner)
        #expect(report.outcome == .failed)
        #expect(report.setAside == ["b": ["bob"]])
        #expect(runner.runs("b/copy/bob").isEmpty, "the set-aside user's own step is skipped")
        for user in ["ann", "cat", "dan"] { #expect(runner.runs("b/copy/\(user)").count == 1) }
        #expect(runner.runs("b/release") == [["ann", "cat", "dan"]], "the later batch step runs without bob")
        #expect(runner.runs("after").isEmpty, "a step after the batch waits for all of it")
        let state = try f.state(graph)
        #expect(state.failures.keys.map { graph.stepID($0) }.sorted() == ["b/hold", "b/release"])
        #expect(state.failures.values.contains { $0.summary.contains("bob (refused by the test)") })

        // Fixed: a resume runs both batch steps again for everyone and bob's copy.
        runner.refuseInHold = []
        let resumed = try await Self.run(f, graph, runner)
        #expect(resumed.outcome == .completed)
        #expect(runner.runs("b/hold").last == ["ann", "bob", "cat", "dan"])
        #expect(runner.runs("b/copy/bob").count == 1)
        #expect(runner.runs("b/release").last == ["ann", "bob", "cat", "dan"])
        #expect(runner.runs("after").count == 1)
        for user in ["ann", "cat", "dan"] { #expect(runner.runs("b/copy/\(user)").count == 1, "done work is not redone") }
    }

    @Test func aUsersOwnFailureSetsOnlyThatUserAside() async throws {
        let f = try ExecutorFixture()
        defer { f.remove() }
        let graph = Self.graph()
        let runner = Runner()
        runner.failCopy = ["cat"]
        let report = try await Self.run(f, graph, runner)
        #expect(report.setAside == ["b": ["cat"]])
        #expect(runner.runs("b/release") == [["ann", "bob", "dan"]])
        #expect(report.failures.map(\.stepID).sorted() == ["b/copy/cat", "b/release"])
        runner.failCopy = []
        #expect(try await Self.run(f, graph, runner).outcome == .completed)
        #expect(runner.runs("b/release").last == ["ann", "bob", "cat", "dan"])
    }
}
