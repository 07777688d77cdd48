import Foundation
import Lab
import Testing

/// `mailshift rollback` says what it cannot undo before it acts, and gives back a choke hold.
@Suite(.labThreads) struct RollbackHonestyEndToEndTests {
    /// Runs the lab's choke plan, approving gates, until it waits at `gate`.
    static func runUntil(_ lab: LabRun, _ gate: String) throws {
        let plan = lab.plan("choke")
        var command = "run"
        for _ in 0..<6 {
            let r = try lab.mailshift([command, plan])
            command = "resume"
            #expect(r.status == 3, "\(r.output)")
            let waiting = try lab.gates("choke")
            if waiting.contains(gate) { return }
            for g in waiting { _ = try lab.mailshift(["approve", plan, g]) }
        }
        Issue.record("the run never reached \(gate)")
    }

    @Test func rollbackReleasesAChokeHoldAndNamesTheImportsItKeeps() throws {
        let lab = try LabRun.up(users: 4, messages: 2, seed: 31)
        defer { lab.down() }
        let plan = lab.plan("choke")
        try Self.runUntil(lab, "first/clients-repointed")
        let markers = { ((try? FileManager.default.contentsOfDirectory(atPath: lab.paths.held)) ?? []).filter { $0.hasSuffix(".choked") } }
        let held = markers()
        #expect(!held.isEmpty, "the choke hold is not in place")

        let dry = try lab.mailshift(["rollback", plan, "--batch", "first", "--dry-run"])
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("! cannot undo: \(held.count) users' mail is already in the new store"), "\(dry.output)")
        #expect(dry.output.contains("~ release the choke hold (first/choke-release)"), "\(dry.output)")
        #expect(markers() == held, "a dry-run released the hold")

        let r = try lab.mailshift(["rollback", plan, "--batch", "first"])
        #expect(r.status == 0, "\(r.output)")
        #expect(markers().isEmpty, "the choke hold is still in place: \(markers())")
        #expect(r.output.contains("gave back the held delivery"), "\(r.output)")
        // Said before it acted.
        let said = try #require(r.output.range(of: "! cannot undo"))
        let acted = try #require(r.output.range(of: "gave back"))
        #expect(said.lowerBound < acted.lowerBound)
        // The hold is pending again: a resume holds before it moves the batch again.
        let resumed = try lab.mailshift(["resume", plan])
        #expect(resumed.status == 3, "\(resumed.output)")
        #expect(try lab.gates("choke") == ["first/clients-repointed"])
        #expect(markers() == held, "the resume did not hold the batch again")
    }

    @Test func rollbackAfterTheRetireListsTheDeletedSources() throws {
        let lab = try LabRun.up(users: 4, messages: 2, seed: 32)
        defer { lab.down() }
        let plan = lab.plan("choke")
        try Self.runUntil(lab, "second/confirm-working")
        let r = try lab.mailshift(["rollback", plan, "--batch", "first", "--dry-run"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("! cannot undo: source mailboxes deleted: \(lab.paths.spool)/"), "\(r.output)")
    }
}
