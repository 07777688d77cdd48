import Foundation
import Lab
import Testing

/// The legacy side of the real lab: the legacy host's Postfix delivering to the mbox spool and
/// honouring `.forward`, the Dovecot IMAP proxy routing by mailHost, group mail expanded by the
/// front MX, and `services.deluser` on its own host, all through the real binary.
@Suite(.serialized, .labThreads) struct RealMailLegacyTests {
    /// Whether `path` holds a message with `messageID`.
    static func holds(_ path: String, _ messageID: String) -> Bool {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains("Message-ID: \(messageID)")
    }

    /// Real Postfix `local` on the legacy host: mail to a user without `.forward` is appended to
    /// the user's spool file; a `.forward` with a file target sends it to that file instead; a
    /// vacation-style `.forward` keeps the copy in the spool; no bounce.
    @Test func legacyMTADeliversToTheSpoolAndHonoursForwardFileTargets() throws {
        let lab = try LabRun.upReal(users: 4, messages: 2)
        defer { lab.down() }
        let (plain, forwarded, vacation) = ("user001", "user002", "user004")
        let target = lab.paths.savedFile(forwarded)
        try "\"\(target)\"\n".write(toFile: lab.paths.forwardFile(forwarded), atomically: true, encoding: .utf8)
        let toPlain = try lab.sendMail(to: plain, subject: "to the legacy spool")
        let toForwarded = try lab.sendMail(to: forwarded, subject: "to the .forward file target")
        let toVacation = try lab.sendMail(to: vacation, subject: "vacation keeps a copy")
        #expect(lab.eventually { Self.holds(lab.paths.spoolFile(plain), toPlain.messageID) }, "not in \(lab.paths.spoolFile(plain))")
        #expect(lab.eventually { Self.holds(target, toForwarded.messageID) }, "not in the .forward's file \(target)")
        #expect(!Self.holds(lab.paths.spoolFile(forwarded), toForwarded.messageID))
        #expect(lab.eventually { Self.holds(lab.paths.spoolFile(vacation), toVacation.messageID) })
        // Appended as mbox: a From_ line before it, the leading-dot line unstuffed.
        let spool = try String(contentsOfFile: lab.paths.spoolFile(plain), encoding: .utf8)
        #expect(spool.contains("\nFrom sender@elsewhere.test "))
        #expect(spool.contains("\n.leading dot line\n"))
        let log = (try? String(contentsOfFile: lab.paths.mailLog, encoding: .utf8)) ?? ""
        #expect(log.contains("mailshift-lab-legacy/local"), "the legacy instance's local(8) did not log a delivery")
        #expect(PostfixQueue(paths: lab.paths).bounces().isEmpty, "\(PostfixQueue(paths: lab.paths).bounces())")
    }

    /// The seed's forward promise: while the first batch waits at a gate with its `.forward`
    /// diverted, mail that still reaches the legacy host (sent there by an MX whose directory is
    /// not yet in sync: here straight to the legacy MTA's SMTP port) lands in the saved file
    /// through real Postfix `local`, not in the spool; after the run it is in the store once.
    @Test func forwardMailAfterTheDivertIsSavedThenInTheStore() throws {
        let lab = try LabRun.upReal(users: 4, messages: 2)
        defer { lab.down() }
        let user = try lab.config.users[0]
        let plan = lab.plan("forward")
        var command = "run"
        var sent: (messageID: String, queueID: String?)?
        for _ in 0..<12 {
            let r = try lab.mailshift([command, plan])
            command = "resume"
            if r.status == 0 { break }
            #expect(r.status == 3, "\(r.output)")
            let forward = (try? String(contentsOfFile: lab.paths.forwardFile(user), encoding: .utf8)) ?? ""
            if sent == nil, forward.contains(lab.paths.saved) {
                let legacy = try #require(try lab.config.legacySMTP, "lab.json has legacy_smtp")
                let mail = try lab.sendMail(to: user, subject: "after the divert", port: legacy.port)
                sent = mail
                #expect(lab.eventually { Self.holds(lab.paths.savedFile(user), mail.messageID) }, "not in the saved file")
                #expect(!Self.holds(lab.paths.spoolFile(user), mail.messageID))
                #expect(try lab.copiesInStore(user, messageID: mail.messageID) == 0)
            }
            for gate in try lab.gates("forward") { #expect(try lab.mailshift(["approve", plan, gate]).status == 0) }
        }
        let mail = try #require(sent, "the run never waited at a gate with \(user)'s .forward diverted")
        #expect(try lab.eventually { try lab.copiesInStore(user, messageID: mail.messageID) == 1 })
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "forward"])
        #expect(verify.status == 0, "\(verify.output)")
    }

    /// The seed's proxy promise for clients: an IMAP login through the proxy (the address the
    /// client keeps) sees the user's mail before the move (served from the legacy spool) and
    /// after it (from the new store), routed by mailHost.
    @Test func imapLoginThroughTheProxySeesTheMailBeforeAndAfterTheMove() throws {
        let lab = try LabRun.upReal(users: 4, messages: 3)
        defer { lab.down() }
        let config = try lab.config
        let proxy = try #require(config.proxyIMAP, "lab.json has proxy_imap")
        let store = try #require(config.imap)
        let password = config.userPassword ?? ""
        let user = config.users[0]
        let before = try IMAPStoreReader(port: proxy.port, password: password).messages(of: user)
        #expect(before.count == 3, "through the proxy before the move: \(before.count) messages")
        #expect(try IMAPStoreReader(port: store.port, password: password).messages(of: user).isEmpty, "the store had mail before the move")
        let run = try lab.runApproving("proxy")
        #expect(run.status == 0, "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: lab.paths.spoolFile(user)), "the proxy plan archives the source")
        let after = try IMAPStoreReader(port: proxy.port, password: password).messages(of: user)
        #expect(Set(after.compactMap(\.messageID)) == Set(before.compactMap(\.messageID)), "through the proxy after the move")
        #expect(after.count == 3)
        // A wrong password is refused by the backend the proxy routes to.
        #expect(throws: (any Error).self) { try IMAPStoreReader(port: proxy.port, password: "wrong").messages(of: user) }
    }

    /// Issue 17's groups on the real MTA: each batch moves its group entry (mailHost to the
    /// store), and mail to the group's address is expanded by the MX through LDAP into every
    /// member's store exactly once.
    @Test func groupMailReachesEveryMembersStoreAfterTheMove() throws {
        let lab = try LabRun.upReal(users: 6, messages: 1)
        defer { lab.down() }
        let run = try lab.runApproving("simple")
        #expect(run.status == 0, "\(run.output)")
        let config = try lab.config
        let groups = try LabGroups(paths: lab.paths, config: config).entries()
        for group in LabPlans.groups(config.users) {
            #expect(groups[group.name]?["mailhost"] == [config.storeHost], "\(group.name) was not moved: \(groups[group.name] ?? [:])")
            let mail = try lab.sendMail(to: group.name, subject: "to the list")
            for member in group.members {
                #expect(try lab.eventually { try lab.copiesInStore(member, messageID: mail.messageID) == 1 }, "\(member) of \(group.name)")
            }
            let outsider = try #require(config.users.first { !group.members.contains($0) })
            #expect(try lab.copiesInStore(outsider, messageID: mail.messageID) == 0)
        }
        #expect(PostfixQueue(paths: lab.paths).bounces().isEmpty)
    }

    /// Issue 17's deluser, end to end: a plan with `services.deluser` on a host of its own
    /// deletes each user only after the batch's working-system gate is approved and its source
    /// is retired (the stand-in records that the spool file was already gone).
    @Test func deluserRunsOnItsOwnHostAfterTheGateAndTheRetire() throws {
        let lab = try LabRun.upReal(users: 4, messages: 1)
        defer { lab.down() }
        let exe = try #require(LabRun.mailshift)
        var text = try String(contentsOfFile: lab.plan("choke"), encoding: .utf8)
        text = text.replacingOccurrences(of: "hosts:\n", with: "hosts:\n  accounts: { address: accounts.lab.test, connect: local, roles: [] }\n")
        let argv = [exe, "lab", "deluser", "{user}", "--dir", lab.dir].map { "\"\($0)\"" }.joined(separator: ", ")
        let check = [exe, "lab", "deluser", "{user}", "--check", "--dir", lab.dir].map { "\"\($0)\"" }.joined(separator: ", ")
        text = text.replacingOccurrences(of: "services:\n", with: "services:\n  deluser: { host: accounts, run: [\(argv)], check: [\(check)] }\n")
        let plan = lab.dir + "/plans/choke-deluser.yaml"
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let checked = try lab.mailshift(["check", plan])
        #expect(checked.status == 0, "\(checked.output)")
        let dry = try lab.mailshift(["run", plan, "--dry-run"])
        #expect(dry.output.contains("run on accounts: `\(exe) lab deluser user001"), "\(dry.output)")

        let deleted = { (try? String(contentsOfFile: lab.paths.deluserLog, encoding: .utf8)) ?? "" }
        var command = "run"
        var sawGate = false
        for _ in 0..<12 {
            let r = try lab.mailshift([command, plan])
            command = "resume"
            if r.status == 0 { break }
            #expect(r.status == 3, "\(r.output)")
            let gates = try lab.gates("choke-deluser")
            if gates.contains("first/confirm-working") {
                sawGate = true
                #expect(deleted().isEmpty, "deluser ran before the working-system gate: \(deleted())")
            }
            for gate in gates { #expect(try lab.mailshift(["approve", plan, gate]).status == 0) }
        }
        #expect(sawGate)
        let lines = deleted().split(separator: "\n").map(String.init).sorted()
        #expect(lines == (try lab.config.users).map { "\($0) spool retired" }, "\(deleted())")
    }
}
