import Foundation
import Lab
import Testing

/// Every strategy through the real binary on the real lab (Postfix front MX, Dovecot store) with
/// `lab traffic` sending mail the whole time: `lab verify` then finds every manifest message and
/// every message the MX accepted in the store exactly once, over IMAP, and no bounce in the log.
@Suite(.serialized) struct RealMailStrategyTests {
    @Test(arguments: LabPlans.strategies)
    func strategyWithTrafficVerifiedOverIMAP(_ strategy: String) throws {
        let lab = try LabRun.upReal(users: 6, messages: 3, traffic: 0.05)
        defer { lab.down() }
        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")
        // Traffic after cutover too: a few more sends (a loaded machine sends slower than asked).
        let after = LabTraffic.sent(lab.paths).count + 3
        let deadline = Date().addingTimeInterval(30)
        while (LabTraffic.sent(lab.paths).count < max(after, 6)) && Date() < deadline { usleep(100_000) }
        LabProcess.stop(pidFile: lab.paths.pidFile("traffic"))
        let sent = LabTraffic.sent(lab.paths)
        let trafficLog = ((try? String(contentsOfFile: lab.paths.log, encoding: .utf8)) ?? "").suffix(1500)
        #expect(sent.count > 5, "traffic sent \(sent.count); \(lab.paths.log) ends: \(trafficLog)")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("mail through the MX: \(sent.count)/\(sent.count) accepted"), "\(verify.output)")
        #expect(verify.output.contains("bounces in \(lab.paths.mailLog): 0"))
    }

    /// proxy: with mail arriving fast while mailboxes move, the MX's real hold queue holds the
    /// mail of users on `mailDeliveryOption: hold`, and each batch's hold_master releases it
    /// into the store exactly once (verify), with no bounce.
    @Test func proxyHoldQueueHoldsThenHoldMasterReleases() throws {
        let lab = try LabRun.upReal(users: 6, messages: 150, traffic: 0.01)
        defer { lab.down() }
        let run = try lab.runApproving("proxy")
        #expect(run.status == 0, "\(run.output)")
        LabProcess.stop(pidFile: lab.paths.pidFile("traffic"))
        let held = PostfixQueue(paths: lab.paths).holds()
        #expect(!held.isEmpty, "no message was held while the batches moved")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "proxy"])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("held by the MX's hold queue during the run: \(held.count) message(s)"), "\(verify.output)")
        #expect(try PostfixQueue(paths: lab.paths).held().isEmpty)
    }

    /// choke: while a batch waits at its gate, the MX holds its users' new mail in the real hold
    /// queue; the release after the gate delivers it to the store once.
    @Test func chokeHoldsAtTheGateThenReleases() throws {
        let lab = try LabRun.upReal(users: 4, messages: 2)
        defer { lab.down() }
        let first = try lab.mailshift(["run", lab.plan("choke")])
        #expect(first.status == 3, "expected to stop at a gate: \(first.output)")
        let user = try lab.config.users[0]
        let mail = try lab.sendMail(to: user, subject: "during the choke")
        let queue = PostfixQueue(paths: lab.paths)
        #expect(try lab.eventually(10) { try queue.held().contains { $0.queueID == mail.queueID } })
        #expect(try lab.copiesInStore(user, messageID: mail.messageID) == 0)
        let rest = try lab.runApproving("choke", resume: true)
        #expect(rest.status == 0, "\(rest.output)")
        #expect(try lab.eventually { try lab.copiesInStore(user, messageID: mail.messageID) == 1 })
        #expect(try queue.held().isEmpty)
        #expect(queue.bounces().isEmpty)
    }
}
