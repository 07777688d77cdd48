import Foundation
import Lab
import Testing

/// Each strategy on the real lab (Postfix front MX and legacy MTA, Dovecot store and proxy),
/// through the real binary: a dry-run that changes nothing, then the run (gates approved with
/// `mailshift approve`) while `lab traffic` sends SMTP throughout, then `lab verify` over IMAP:
/// every manifest message and every message the MX accepted in the store exactly once, no bounce.
@Suite(.labThreads) struct StrategyEndToEndTests {
    static let users = 20

    @Test(arguments: LabPlans.strategies)
    func dryRunChangesNothingThenTheRunMigratesEveryMessage(strategy: String) throws {
        let lab = try LabRun.upReal(users: Self.users, messages: 3, seed: 11)
        defer { lab.down() }
        let before = try lab.snapshot()
        let check = try lab.mailshift(["check", lab.plan(strategy)])
        #expect(check.status == 0, "\(check.output)")
        let dry = try lab.mailshift(["run", lab.plan(strategy), "--dry-run"])
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("to change"))
        #expect(try lab.snapshot() == before, "the dry-run changed the lab")

        // Mail flows through the MX while the batches move: to the legacy spool, the saved
        // file, the hold queue or the new store as the directory says at each moment.
        #expect(try lab.mailshift(["lab", "service", "start", "traffic", "--dir", lab.dir]).status == 0)
        #expect(lab.eventually(20) { !LabTraffic.sent(lab.paths).isEmpty }, "lab traffic accepted nothing")
        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")
        // Traffic after cutover too: a few more sends (a loaded machine sends slower than asked).
        let after = LabTraffic.sent(lab.paths).count + 3
        #expect(lab.eventually(30) { LabTraffic.sent(lab.paths).count >= after })
        _ = try lab.mailshift(["lab", "service", "stop", "traffic", "--dir", lab.dir])
        let sent = LabTraffic.sent(lab.paths)
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("directory: \(Self.users)/\(Self.users) users"), "\(verify.output)")
        #expect(verify.output.contains("mail through the MX: \(sent.count)/\(sent.count) accepted"), "\(verify.output)")
        #expect(verify.output.contains("bounces in \(lab.paths.mailLog): 0"), "\(verify.output)")
        #expect(verify.output.contains("lab verify: OK"))
        let status = try lab.mailshift(["status", lab.plan(strategy)])
        #expect(status.output.contains("complete"), "\(status.output)")
    }

    /// With mail arriving every 10 ms through the forward run, real mail lands in every place:
    /// the legacy spool through the legacy host's Postfix `local` before the move, the store
    /// over LMTP after it; every accepted message ends up in the store exactly once.
    @Test func mailArrivingDuringTheMigrationEndsUpInTheStore() throws {
        let lab = try LabRun.upReal(users: Self.users, messages: 2, seed: 12, traffic: 0.01)
        defer { lab.down() }
        let run = try lab.runApproving("forward")
        #expect(run.status == 0, "\(run.output)")
        usleep(300_000)
        _ = try lab.mailshift(["lab", "service", "stop", "traffic", "--dir", lab.dir])
        let log = (try? String(contentsOfFile: lab.paths.mailLog, encoding: .utf8)) ?? ""
        #expect(log.contains("mailshift-lab-legacy/local") && log.contains("delivered to file: \(lab.paths.spool)/"),
                "no mail reached the legacy spool before the move")
        #expect(log.contains("mailshift-lab-mx/lmtp"), "no mail reached the store over LMTP")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "forward"])
        #expect(verify.status == 0, "\(verify.output)")
    }

    /// `lab verify` fails on a (stand-in) lab where a message went missing.
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
