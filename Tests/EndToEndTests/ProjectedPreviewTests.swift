import Foundation
import Lab
import Testing

/// The preview is computed against the state the earlier steps will leave: on a fresh lab (its
/// MTA running, as on a live legacy host) no step is "already done" — `set-active` after
/// `set-inactive`, saved mail after a divert, the store server after the MTA stop all have work
/// then — and after the run completes, a preview finds nothing to change.
@Suite struct ProjectedPreviewTests {
    static func planLine(_ output: String) -> String {
        output.split(separator: "\n").last { $0.hasPrefix("Plan: ") }.map(String.init) ?? ""
    }

    @Test(arguments: LabPlans.strategies)
    func aFreshLabHasNothingAlreadyDoneAndACompletedRunNothingToChange(strategy: String) throws {
        // An interval long enough that the MTA runs (its pid file is live) but delivers nothing.
        let lab = try LabRun.up(users: 6, messages: 2, seed: 31, mtaInterval: 3600)
        defer { lab.down() }
        let fresh = try lab.mailshift(["run", lab.plan(strategy), "--dry-run"])
        #expect(fresh.status == 0, "\(fresh.output)")
        let before = Self.planLine(fresh.output)
        #expect(before.contains(", 0 already done"), "\(fresh.output)")
        #expect(!before.hasPrefix("Plan: 0 to change"), "\(before)")

        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")
        let after = try lab.mailshift(["run", lab.plan(strategy), "--dry-run"])
        #expect(after.status == 0, "\(after.output)")
        #expect(Self.planLine(after.output).hasPrefix("Plan: 0 to change, 0 unknown"), "\(after.output)")
    }
}
