import Foundation
import Lab
import Testing

/// The preview is computed against the state the earlier steps will leave: on a fresh lab (its
/// MTA running, as on a live legacy host) no step is "already done" — `set-active` after
/// `set-inactive`, saved mail after a divert, the store server after the MTA stop all have work
/// then — and after the run completes, a preview finds nothing to change.
@Suite(.labThreads) struct ProjectedPreviewTests {
    static func planLine(_ output: String) -> String {
        output.split(separator: "\n").last { $0.hasPrefix("Plan: ") }.map(String.init) ?? ""
    }

    struct PreviewStep: Decodable {
        var id: String
        var action: String
    }

    /// The steps of the `--format json` document (the users line goes to stderr, mixed in here).
    static func document(_ output: String) throws -> [PreviewStep] {
        struct Document: Decodable {
            var format: Int
            var steps: [PreviewStep]
        }
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("{\"format\"") })
        let document = try JSONDecoder().decode(Document.self, from: Data(line.utf8))
        #expect(document.format == 1)
        return document.steps
    }

    /// Steps a `--log-format json` run reports applied.
    static func appliedSteps(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"), let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["event"] as? String == "step.finished", object["outcome"] as? String == "applied"
            else { return nil }
            return object["step"] as? String
        }
    }

    @Test(arguments: LabPlans.strategies)
    func aFreshLabHasNothingAlreadyDoneAndACompletedRunNothingToChange(strategy: String) throws {
        // An interval long enough that the MTA runs (its pid file is live) but delivers nothing.
        let lab = try LabRun.up(users: 6, messages: 2, seed: 31, mtaInterval: 3600)
        defer { lab.down() }
        let previewed = try lab.mailshift(["run", lab.plan(strategy), "--dry-run", "--format", "json"])
        #expect(previewed.status == 0, "\(previewed.output)")
        let document = try Self.document(previewed.output)
        let change = Set(document.filter { $0.action == "change" }.map(\.id))
        let unknown = Set(document.filter { $0.action == "unknown" }.map(\.id))
        let fresh = try lab.mailshift(["run", lab.plan(strategy), "--dry-run"])
        #expect(fresh.status == 0, "\(fresh.output)")
        let before = Self.planLine(fresh.output)
        #expect(before.contains(", 0 already done"), "\(fresh.output)")
        #expect(!before.hasPrefix("Plan: 0 to change"), "\(before)")

        var logs: [String] = []
        let run = try lab.runApproving(strategy, extra: ["--log-format", "json"], outputs: &logs)
        #expect(run.status == 0, "\(run.output)")
        // What the preview called a change is what the run applied; an unknown may go either way.
        let applied = Set(logs.flatMap(Self.appliedSteps))
        #expect(change.subtracting(applied).isEmpty, "previewed as change, not applied: \(change.subtracting(applied).sorted())")
        #expect(applied.subtracting(change.union(unknown)).isEmpty,
            "applied but previewed as done: \(applied.subtracting(change.union(unknown)).sorted())")
        let after = try lab.mailshift(["run", lab.plan(strategy), "--dry-run"])
        #expect(after.status == 0, "\(after.output)")
        #expect(Self.planLine(after.output).hasPrefix("Plan: 0 to change, 0 unknown"), "\(after.output)")
    }
}
