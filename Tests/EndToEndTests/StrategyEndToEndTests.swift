import Foundation
import Lab
import Testing

/// Each strategy on a lab of 50 users, through the real binary: a dry-run that changes nothing,
/// then the run (gates approved with `mailshift approve`) while the stand-in MTA keeps
/// delivering, then `mailshift lab verify`.
@Suite struct StrategyEndToEndTests {
    @Test(arguments: LabPlans.strategies)
    func dryRunChangesNothingThenTheRunMigratesEveryMessage(strategy: String) throws {
        let lab = try LabRun.up(users: 50, messages: 3, seed: 11)
        defer { lab.down() }
        let before = try lab.snapshot()
        let check = try lab.mailshift(["check", lab.plan(strategy)])
        #expect(check.status == 0, "\(check.output)")
        let dry = try lab.mailshift(["run", lab.plan(strategy), "--dry-run"])
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("to change"))
        #expect(try lab.snapshot() == before, "the dry-run changed the lab")

        // New mail flows while the batches move (the MTA routes it to the spool, the saved file,
        // the hold queue or the new store as the migration goes).
        #expect(try lab.mailshift(["lab", "service", "start", "mta", "--dir", lab.dir]).status == 0)
        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")
        _ = try lab.mailshift(["lab", "service", "stop", "mta", "--dir", lab.dir])
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("directory: 50/50 users"))
        #expect(verify.output.contains("lab verify: OK"))
        let status = try lab.mailshift(["status", lab.plan(strategy)])
        #expect(status.output.contains("complete"), "\(status.output)")
    }

    /// A strategy that keeps the MTA running throughout (forward) sees mail arrive in every
    /// place: the spool before the divert, the saved file during it, the store after; every
    /// arrival ends up in the store.
    @Test func mailArrivingDuringTheMigrationEndsUpInTheStore() throws {
        let lab = try LabRun.up(users: 50, messages: 2, seed: 12, mtaInterval: 0.01)
        defer { lab.down() }
        let run = try lab.runApproving("forward")
        #expect(run.status == 0, "\(run.output)")
        // Let mail reach the migrated users' new store for a moment before stopping the MTA.
        usleep(300_000)
        _ = try lab.mailshift(["lab", "service", "stop", "mta", "--dir", lab.dir])
        let arrivals = LabDelivery.arrivals(path: lab.paths.arrivals)
        #expect(arrivals.contains { $0.route == "saved" }, "no mail was saved aside while diverted")
        #expect(arrivals.contains { $0.route == "store" })
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "forward"])
        #expect(verify.status == 0, "\(verify.output)")
    }

    /// `lab verify` fails on a lab where a message went missing.
    @Test func verifyReportsAMissingMessage() throws {
        let lab = try LabRun.up(users: 4, messages: 3, seed: 13)
        defer { lab.down() }
        #expect(try lab.runApproving("simple").status == 0)
        let new = lab.paths.maildir("user001") + "/cur"
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: new).sorted().first)
        try FileManager.default.removeItem(atPath: new + "/" + victim)
        let verify = try lab.mailshift(["lab", "verify", lab.dir])
        #expect(verify.status == 1)
        #expect(verify.output.contains("1 missing"))
    }
}
