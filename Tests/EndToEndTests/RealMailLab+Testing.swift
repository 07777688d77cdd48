import Foundation
import Lab
import Testing

/// Helpers for the tests that run the lab's real Postfix and Dovecot.
extension LabRun {
    /// `lab up --mail real` in a fresh directory (no stand-in MTA).
    /// `traffic` > 0 starts `lab traffic` at that interval (seconds).
    static func upReal(users: Int, messages: Int, seed: UInt64 = 7, traffic: Double = 0) throws -> LabRun {
        let dir = NSTemporaryDirectory() + "mailshift-real-" + UUID().uuidString.prefix(8)
        let lab = LabRun(dir: dir, paths: LabPaths(root: dir))
        let r = try lab.mailshift(["lab", "up", dir, "--users", "\(users)", "--messages", "\(messages)", "--seed", "\(seed)",
            "--mail", "real", "--mta-interval", "\(traffic)"])
        guard r.status == 0 else {
            lab.down()
            throw LabError("lab up --mail real failed (\(r.status)): \(r.output)")
        }
        // Mail is arriving before the run starts, so it arrives in every phase of it.
        if traffic > 0, !lab.eventually(20, { !LabTraffic.sent(lab.paths).isEmpty }) {
            lab.down()
            throw LabError("lab traffic accepted nothing within 20 s")
        }
        return lab
    }

    var config: LabConfig { get throws { try LabConfig.load(paths) } }

    /// Replaces one attribute of a user's entry with `ldapmodify`, bound as the lab's migrator.
    func setAttribute(_ user: String, _ attribute: String, _ value: String) throws {
        let config = try self.config
        let ldif = dir + ".ldif-" + UUID().uuidString.prefix(6)
        defer { unlink(ldif) }
        try "dn: uid=\(user),\(config.peopleBase)\nchangetype: modify\nreplace: \(attribute)\n\(attribute): \(value)\n"
            .write(toFile: ldif, atomically: true, encoding: .utf8)
        let out = dir + ".ldapmodify-" + UUID().uuidString.prefix(6)
        defer { unlink(out) }
        let pid = try Self.spawn(["/usr/bin/ldapmodify", "-x", "-H", config.ldapURL, "-D", config.bindDN,
            "-y", paths.run + "/ldap.bindpw", "-f", ldif], output: out)
        let status = Self.wait(pid)
        guard status == 0 else { throw LabError("ldapmodify failed (\(status)): \((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")") }
    }

    /// Sends one message through the front MX (or to `port`, e.g. the legacy host's MTA);
    /// returns its Message-ID and queue id.
    func sendMail(to user: String, subject: String, port: Int? = nil) throws -> (messageID: String, queueID: String?) {
        let config = try self.config
        let smtp = try port.map { LabEndpoint(port: $0) } ?? #require(config.smtp, "lab.json has smtp")
        let id = "<\(UUID().uuidString)@traffic.lab.test>"
        let client = try SMTPClient(port: smtp.port)
        defer { client.quit() }
        let reply = try client.send(
            from: "sender@elsewhere.test", to: ["\(user)@\(config.domain ?? "")"],
            message: "From: sender@elsewhere.test\nTo: \(user)@\(config.domain ?? "")\nSubject: \(subject)\nMessage-ID: \(id)\n\nhello \(user)\n.leading dot line\n")
        return (id, SMTPClient.queueID(reply))
    }

    /// How many messages in `user`'s INBOX (through IMAP) carry `messageID`.
    func copiesInStore(_ user: String, messageID: String) throws -> Int {
        let config = try self.config
        let imap = try #require(config.imap)
        let messages = try IMAPStoreReader(port: imap.port, password: config.userPassword ?? "").bodies(of: user)
        return messages.filter { String(decoding: $0, as: UTF8.self).contains("Message-ID: \(messageID)") }.count
    }

    /// Polls `condition` every 100 ms for up to `seconds`; its last value.
    func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return true }
            if Date() > deadline { return false }
            usleep(100_000)
        }
    }
}
