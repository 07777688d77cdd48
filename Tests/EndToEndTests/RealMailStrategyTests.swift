import Foundation
import Lab
import Testing

/// The hold channels of the real lab, each strategy's promise about held mail (every strategy
/// with traffic end to end is `StrategyEndToEndTests`).
@Suite(.serialized, .labThreads) struct RealMailStrategyTests {
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
