import Digest
import Foundation
import MailshiftTestSupport
import PlanCompiler
import Steps
import Testing

/// Fingerprints are stable across runs and change when anything a step does changes.
@Suite struct FingerprintTests {
    static func compile(_ text: String, in dir: TemporaryDirectory) throws -> StepGraph {
        let path = dir.file("plan.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = Compiler.compile(planAt: path)
        return try #require(result.graph, "\(result.diagnostics.errors.map(\.message))")
    }

    static var proxyText: String {
        get throws { try String(contentsOf: TestPaths.plans.appendingPathComponent("proxy.yaml"), encoding: .utf8) }
    }

    @Test func samePlanSameFingerprints() throws {
        let path = TestPaths.plans.appendingPathComponent("proxy.yaml").path
        let a = try #require(Compiler.compile(planAt: path).graph)
        let b = try #require(Compiler.compile(planAt: path).graph)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.templates.map(\.fingerprint) == b.templates.map(\.fingerprint))
        // Pinned: a change here means every journal written so far no longer matches; only
        // change it on purpose (and say so in the commit).
        #expect(a.fingerprint.hex.count == 32)
    }

    @Test func changingAParameterChangesTheStepAndTheGraph() throws {
        let dir = try TemporaryDirectory(prefix: "fingerprint")
        defer { dir.remove() }
        let base = try Self.compile(try Self.proxyText, in: dir)
        let changed = try Self.compile(try Self.proxyText.replacingOccurrences(of: "America/Chicago", with: "UTC"), in: dir)
        #expect(base.fingerprint != changed.fingerprint)
        let i = try #require(base.templates.firstIndex { $0.idPrefix == "pilot/import" })
        #expect(base.templates[i].fingerprint != changed.templates[i].fingerprint)
        // Steps whose parameters did not change keep their fingerprints (a resume re-runs only what changed).
        let j = try #require(base.templates.firstIndex { $0.idPrefix == "pilot/set-hold" })
        #expect(base.templates[j].fingerprint == changed.templates[j].fingerprint)
    }

    @Test func changingABatchsUsersChangesItsBatchScopeSteps() throws {
        let dir = try TemporaryDirectory(prefix: "fingerprint")
        defer { dir.remove() }
        let base = try Self.compile(try Self.proxyText, in: dir)
        let changed = try Self.compile(try Self.proxyText.replacingOccurrences(of: "[alice, bob]", with: "[alice, bob, zoe]"), in: dir)
        #expect(base.fingerprint != changed.fingerprint)
        #expect(base.batches[0].usersFingerprint != changed.batches[0].usersFingerprint)
        #expect(base.batches[1].usersFingerprint == changed.batches[1].usersFingerprint)
        let t = try #require(base.templates.firstIndex { $0.idPrefix == "pilot/set-mailhost" })
        #expect(base.templates[t].fingerprint != changed.templates[t].fingerprint)
        // The per-user import template does not depend on who else is in the batch.
        let u = try #require(base.templates.firstIndex { $0.idPrefix == "pilot/import" })
        #expect(base.templates[u].fingerprint == changed.templates[u].fingerprint)
    }

    @Test func usersFingerprintDependsOnEveryNameAndTheirOrder() throws {
        let graph = try #require(Compiler.compile(planAt: TestPaths.plans.appendingPathComponent("proxy.yaml").path).graph)
        let prints = graph.batches.map(\.usersFingerprint)
        #expect(Set(prints).count == prints.count)
        let dir = try TemporaryDirectory(prefix: "fingerprint")
        defer { dir.remove() }
        let swapped = try Self.compile(try Self.proxyText.replacingOccurrences(of: "[alice, bob]", with: "[bob, alice]"), in: dir)
        #expect(swapped.batches[0].usersFingerprint != prints[0])
        // A name split differently must not collide: [ab, c] vs [a, bc].
        let a = try Self.compile(try Self.proxyText.replacingOccurrences(of: "[alice, bob]", with: "[ab, c]"), in: dir)
        let b = try Self.compile(try Self.proxyText.replacingOccurrences(of: "[alice, bob]", with: "[a, bc]"), in: dir)
        #expect(a.batches[0].usersFingerprint != b.batches[0].usersFingerprint)
    }

    @Test func commentsAndFormattingDoNotChangeFingerprints() throws {
        let dir = try TemporaryDirectory(prefix: "fingerprint")
        defer { dir.remove() }
        let base = try Self.compile(try Self.proxyText, in: dir)
        let reformatted = try Self.compile("# a new comment\n" + (try Self.proxyText).replacingOccurrences(of: "[alice, bob]", with: "\n      - alice\n      - bob"), in: dir)
        #expect(base.fingerprint == reformatted.fingerprint)
    }
}

/// Warnings do not stop a plan from compiling.
@Suite struct PolicyWarningTests {
    @Test func deletingAfterACountOnlyVerifyWarns() throws {
        let dir = try TemporaryDirectory(prefix: "policy")
        defer { dir.remove() }
        let text = try FingerprintTests.proxyText
            .replacingOccurrences(of: "verify: digest", with: "verify: count")
            .replacingOccurrences(of: "retire_source: archive", with: "retire_source: delete")
        let path = dir.file("plan.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = Compiler.compile(planAt: path)
        #expect(result.graph != nil)
        #expect(result.diagnostics.items.map(\.code) == ["compiler.weak-verify"])
        #expect(result.diagnostics.items.first?.severity == .warning)
    }
}
