import CommandDriver
import Foundation
import MailshiftTestSupport
import Steps
import Testing

@Suite struct ForwardRestoreRunnerTests {
    @Test func leavesAForwardChangedSinceTheDivert() async throws {
        let dir = try TemporaryDirectory(prefix: "fwd-r")
        defer { dir.remove() }
        let forward = try ForwardDivertRunnerTests.homes(dir, ["alice"])
        let (divert, restore) = ForwardDivertRunnerTests.steps(forward: forward, host: localHost, users: ["alice"])
        let outputs = try await ForwardDivertRunner(transport: LocalTransport(), owner: .unchanged)
            .apply(divert, context: StepContext(dryRun: false))
        try "alice@new.example\n".write(toFile: dir.file("home/alice/.forward"), atomically: true, encoding: .utf8)
        let context = StepContext(dryRun: false, outputs: { _ in outputs })
        let runner = ForwardRestoreRunner(transport: LocalTransport(), owner: .unchanged)
        let inspection = try await runner.inspect(restore, context: context)
        #expect(inspection.state == .done)
        #expect(inspection.reason?.contains("changed since the divert") == true)
        let restored = try await runner.apply(restore, context: context)
        #expect(restored["restored.alice"] == "left: changed since divert")
        #expect(try String(contentsOfFile: dir.file("home/alice/.forward"), encoding: .utf8) == "alice@new.example\n")
    }

    @Test func previewsButRefusesToApplyWithoutTheDivertRecord() async throws {
        let restore = ForwardDivertRunnerTests.steps(forward: "/nonexistent/{user}/.forward", host: localHost, users: ["alice"]).restore
        let runner = ForwardRestoreRunner(transport: LocalTransport())
        // A dry-run of a fresh plan: the divert has not run, so the preview says what will happen.
        let preview = try await runner.inspect(restore, context: StepContext(dryRun: true))
        #expect(preview.state == .pending)
        #expect(preview.changes.first?.text.contains("pilot/divert") == true)
        do {
            _ = try await runner.apply(restore, context: StepContext(dryRun: false))
            Issue.record("expected a failure")
        } catch let error as StepRefusal {
            #expect(error.disposition == .permanent)
            #expect(error.summary.contains("pilot/divert has no journaled outputs"))
        }
    }
}
