import Foundation
import Lab
import Testing

/// The lab's real mail system: Postfix as the front MX routing by the directory, Dovecot as the
/// store, both private instances on 127.0.0.1, checked as a sender and a mail client would.
@Suite(.serialized, .labThreads) struct RealMailLabTests {
    /// SMTP to a migrated user lands in the store exactly once; a held user's mail waits in the
    /// MX's hold queue until released; a user still on the legacy host gets it in the legacy
    /// spool, and while the legacy MTA is down it is queued, not bounced.
    @Test func frontMXRoutesByDirectoryAndHolds() throws {
        let lab = try LabRun.upReal(users: 4, messages: 2)
        defer { lab.down() }
        let config = try lab.config
        #expect(config.domain == "lab.test")
        #expect(config.smtp?.host == "127.0.0.1" && config.imap?.host == "127.0.0.1")
        let (moved, held, legacy) = ("user001", "user002", "user003")
        try lab.setAttribute(moved, "mailHost", config.storeHost)
        try lab.setAttribute(held, "mailHost", config.storeHost)
        try lab.setAttribute(held, "mailDeliveryOption", "hold")

        let toMoved = try lab.sendMail(to: moved, subject: "to the new store")
        #expect(try lab.eventually { try lab.copiesInStore(moved, messageID: toMoved.messageID) > 0 })
        usleep(500_000)  // a second copy, if any, would have arrived by now
        #expect(try lab.copiesInStore(moved, messageID: toMoved.messageID) == 1)

        let toHeld = try lab.sendMail(to: held, subject: "while held")
        let queue = PostfixQueue(paths: lab.paths)
        #expect(try lab.eventually(10) { try queue.held().contains { $0.queueID == toHeld.queueID } })
        #expect(try lab.copiesInStore(held, messageID: toHeld.messageID) == 0)
        // A list with the held user among its members: the other member's copy is delivered, the
        // held member's waits (the HOLD check saw only the list's address).
        let list = try #require(LabPlans.groups(config.users).first { $0.members.contains(held) && $0.members.contains(moved) })
        let toList = try lab.sendMail(to: list.name, subject: "to the list while a member is held")
        #expect(try lab.eventually { try lab.copiesInStore(moved, messageID: toList.messageID) == 1 })
        usleep(1_000_000)
        #expect(try lab.copiesInStore(held, messageID: toList.messageID) == 0, "the held member's copy of the list mail waits")

        // A user still on the legacy host: relayed to the legacy host's Postfix, appended to the spool.
        let toLegacy = try lab.sendMail(to: legacy, subject: "to the legacy host")
        #expect(lab.eventually { RealMailLegacyTests.holds(lab.paths.spoolFile(legacy), toLegacy.messageID) })
        // With the legacy MTA stopped, the MX queues (defers) it instead: nothing bounces.
        #expect(try lab.mailshift(["lab", "service", "stop", "mta", "--dir", lab.dir]).status == 0)
        let whileDown = try lab.sendMail(to: legacy, subject: "legacy host is not listening")
        #expect(try lab.eventually(10) { try queue.entries().contains { $0.queueID == whileDown.queueID && $0.queueName == "deferred" } })
        #expect(try lab.mailshift(["lab", "service", "start", "mta", "--dir", lab.dir]).status == 0)
        #expect(lab.eventually(30) { _ = try? queue.flush(); return RealMailLegacyTests.holds(lab.paths.spoolFile(legacy), whileDown.messageID) })

        // hold_master's part: delivery back to mailbox, then the held mail is routed again.
        try lab.setAttribute(held, "mailDeliveryOption", "mailbox")
        try PostfixFrontMX.reload(lab.paths)  // Postfix's queue manager caches the last route it resolved
        #expect(try queue.releaseAll() == 1)
        #expect(try lab.eventually { try queue.flush(); return try lab.copiesInStore(held, messageID: toHeld.messageID) == 1 })
        #expect(try lab.eventually { try queue.flush(); return try lab.copiesInStore(held, messageID: toList.messageID) == 1 })
        #expect(try queue.held().isEmpty)

        // mailUserStatus inactive (a batch mid-move): accepted and queued, even through a flush;
        // delivered once the entry is active again.
        let moving = "user004"
        try lab.setAttribute(moving, "mailHost", config.storeHost)
        try lab.setAttribute(moving, "mailUserStatus", "inactive")
        let toMoving = try lab.sendMail(to: moving, subject: "mid-move")
        try queue.flush()
        usleep(1_000_000)
        #expect(try queue.entries().contains { $0.queueID == toMoving.queueID && $0.queueName == "deferred" })
        #expect(try lab.copiesInStore(moving, messageID: toMoving.messageID) == 0)
        try lab.setAttribute(moving, "mailUserStatus", "active")
        try PostfixFrontMX.reload(lab.paths)
        // a flush sent while the reload replaces the queue manager can be lost: flush while waiting
        #expect(try lab.eventually { try queue.flush(); return try lab.copiesInStore(moving, messageID: toMoving.messageID) == 1 })
        #expect(queue.bounces().isEmpty, "bounces in \(lab.paths.mailLog): \(queue.bounces())")
    }

    /// The simple strategy on the real lab: every manifest message is found through IMAP exactly
    /// once with its flags and INTERNALDATE; `lab verify` then catches a message removed from the store.
    @Test func simpleRunVerifiedThroughIMAP() throws {
        let lab = try LabRun.upReal(users: 6, messages: 4)
        defer { lab.down() }
        // The seed's simple promise: mail sent while the legacy MTA is down (stopped as the plan's
        // legacy_mta step would) is queued by the MX (deferred, not bounced) and delivered after
        // the cutover.
        #expect(try lab.mailshift(["lab", "service", "stop", "mta", "--dir", lab.dir]).status == 0)
        #expect(!PostfixLegacyMTA.running(lab.paths))
        let early = try lab.config.users[2]
        let whileDown = try lab.sendMail(to: early, subject: "while the legacy MTA is down")
        let queue = PostfixQueue(paths: lab.paths)
        #expect(try lab.eventually(10) { try queue.entries().contains { $0.queueID == whileDown.queueID && $0.queueName == "deferred" } })
        let run = try lab.runApproving("simple")
        #expect(run.status == 0, "\(run.output)")
        try PostfixFrontMX.reload(lab.paths)  // Postfix's queue manager caches the last route it resolved
        #expect(try lab.eventually { try queue.flush(); return try lab.copiesInStore(early, messageID: whileDown.messageID) == 1 })
        #expect(queue.bounces().isEmpty)
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "simple"])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("store (IMAP 127.0.0.1:"))
        #expect(verify.output.contains("24/24 in the store exactly once"))

        // Mail sent after the cutover reaches the user through the MX, and verify still counts
        // only the manifest (plus what it knows arrived).
        let user = try lab.config.users[0]
        let sent = try lab.sendMail(to: user, subject: "after cutover")
        #expect(try lab.eventually { try lab.copiesInStore(user, messageID: sent.messageID) == 1 })

        // Remove one imported message behind Dovecot's back: verify must fail and say which.
        let cur = lab.paths.maildir(try lab.config.users[1]) + "/cur"
        let new = lab.paths.maildir(try lab.config.users[1]) + "/new"
        let victim = try #require(
            ((try? FileManager.default.contentsOfDirectory(atPath: cur)) ?? []).map { cur + "/" + $0 }.first
                ?? ((try? FileManager.default.contentsOfDirectory(atPath: new)) ?? []).map { new + "/" + $0 }.first)
        try FileManager.default.removeItem(atPath: victim)
        let broken = try lab.mailshift(["lab", "verify", lab.dir])
        #expect(broken.status == 1)
        #expect(broken.output.contains("is not in the store"))
    }

    /// `lab down` stops both daemons: nothing answers on their ports afterwards.
    @Test func labDownStopsTheDaemons() throws {
        let lab = try LabRun.upReal(users: 1, messages: 1)
        defer { lab.down() }
        let config = try lab.config
        for port in [config.smtp?.port, config.imap?.port].compactMap({ $0 }) { #expect(RealMailLab.listening(port: port)) }
        let ports = [try #require(config.smtp).port, try #require(config.imap).port, try #require(config.lmtp).port]
        let r = try lab.mailshift(["lab", "down", lab.dir])
        #expect(r.output.contains("postfix") && r.output.contains("dovecot"), "\(r.output)")
        for port in ports { #expect(!RealMailLab.listening(port: port), "port \(port) still answers") }
    }
}
