import Foundation
import Lab
import Testing

/// The seed's "if the system is working, delete …": the lab's choke plan deletes the sources
/// (`retire_source: delete`); the run stops at each batch's `confirm-working` gate with every
/// source still in place, and deletes them only after `mailshift approve`.
@Suite(.labThreads) struct WorkingSystemGateEndToEndTests {
    @Test func sourcesStayUntilTheWorkingSystemIsConfirmed() throws {
        let lab = try LabRun.up(users: 6, messages: 2, seed: 21)
        defer { lab.down() }
        let plan = lab.plan("choke")
        let spool = { Set((try? FileManager.default.contentsOfDirectory(atPath: lab.paths.spool)) ?? []).filter { !$0.hasSuffix(".lock") } }
        let before = spool()
        #expect(!before.isEmpty)
        // Approve every other gate until the run waits only at the first batch's confirmation.
        var command = "run"
        var waiting: [String] = []
        for _ in 0..<6 {
            let r = try lab.mailshift([command, plan])
            command = "resume"
            #expect(r.status == 3, "\(r.output)")
            waiting = try lab.gates("choke")
            if waiting == ["first/confirm-working"] { break }
            for gate in waiting where gate != "first/confirm-working" { _ = try lab.mailshift(["approve", plan, gate]) }
        }
        #expect(waiting == ["first/confirm-working"])
        #expect(before.isSubset(of: spool()), "a source was deleted before the new system was confirmed")
        let status = try lab.mailshift(["status", plan])
        #expect(status.output.contains("first/confirm-working"), "\(status.output)")

        // A misspelt gate is refused with a suggestion, and records nothing.
        let wrong = try lab.mailshift(["approve", plan, "first/confirm-workin"])
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("did you mean 'first/confirm-working'?"), "\(wrong.output)")

        #expect(try lab.mailshift(["approve", plan, "first/confirm-working", "--comment", "test mail read back over IMAP"]).status == 0)
        let rest = try lab.runApproving("choke", resume: true)
        #expect(rest.status == 0, "\(rest.output)")
        #expect(spool().isEmpty || spool().count < before.count, "approving did not let the retire run")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "choke"])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
