import Foundation
import Glibc
import Lab
import MailboxDriver
import Testing

/// Pre-copy through the real binary: `mailshift sync` copies every mailbox while its user is live;
/// then users read, flag, delete and receive mail on the legacy host (a POP client's rewrite);
/// then the run opens the window and moves only the delta. The store ends exactly as the
/// mailboxes are: no message lost, duplicated or resurrected, flags as the legacy host has them.
@Suite(.labThreads) struct PrecopyEndToEndTests {
    static let users = ["user001", "user002", "user003", "user004"]

    /// A plain mbox message (mboxrd, no From-lines in bodies) with a Status / X-Status.
    static func message(_ user: String, _ n: Int, status: String = "O", xstatus: String? = nil) -> String {
        "From sender\(n)@example.org Mon Nov  2 10:0\(n % 10):00 2026\nFrom: sender\(n)@example.org\nTo: \(user)@example.com\n"
            + "Subject: \(user) message \(n)\nDate: Mon, 2 Nov 2026 10:0\(n % 10):00 +0000\nMessage-ID: <\(n).\(user)@example.org>\n"
            + "Status: \(status)\n" + (xstatus.map { "X-Status: \($0)\n" } ?? "") + "\nbody \(n) of \(user)\n\n"
    }

    /// Replaces a spool's contents in place (its inode, owner and mode stay, as a POP client's rewrite leaves them).
    static func rewrite(_ path: String, _ text: String) throws {
        let h = try #require(FileHandle(forWritingAtPath: path), "no spool \(path)")
        try h.truncate(atOffset: 0)
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    static func enablePrecopy(_ lab: LabRun, _ strategy: String) throws {
        let path = lab.plan(strategy)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try #require(text.contains("\npolicy:\n"))
        try text.replacingOccurrences(of: "\npolicy:\n", with: "\npolicy:\n  precopy: true\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Our spool messages in a Maildir: subject → flags.
    static func stored(_ maildir: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for sub in ["new", "cur"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + sub)) ?? [] {
                guard let parsed = MaildirName(fileName: name), parsed.tag.hasPrefix("m") else { continue }
                let text = try String(contentsOfFile: maildir + "/" + sub + "/" + name, encoding: .utf8)
                let subject = try #require(text.split(separator: "\n").first { $0.hasPrefix("Subject: ") }).dropFirst(9)
                #expect(out[String(subject)] == nil, "\(subject) stored twice in \(maildir)")
                out[String(subject)] = parsed.flags.letters
            }
        }
        return out
    }

    @Test(arguments: LabPlans.strategies)
    func theWindowMovesOnlyTheDeltaAndTheStoreEndsExact(strategy: String) throws {
        let lab = try LabRun.up(users: Self.users.count, messages: 2, seed: 31)
        defer { lab.down() }
        try Self.enablePrecopy(lab, strategy)
        for u in Self.users {
            try Self.rewrite(lab.paths.spool + "/" + u, (0..<6).map { Self.message(u, $0, status: $0 % 2 == 0 ? "RO" : "O") }.joined())
        }
        for batch in ["first", "second"] {
            let sync = try lab.mailshift(["sync", lab.plan(strategy), "--batch", batch])
            #expect(sync.status == 0, "\(sync.output)")
        }
        #expect(try Self.stored(lab.paths.maildir("user001")).count == 6, "the pre-copy stored every message")

        // While still live: message 1 read and flagged, message 3 deleted (the file rewritten,
        // the later messages moved up), one new message delivered.
        for u in Self.users {
            var text = ""
            for n in 0..<6 where n != 3 {
                text += n == 1 ? Self.message(u, n, status: "RO", xstatus: "F") : Self.message(u, n, status: n % 2 == 0 ? "RO" : "O")
            }
            try Self.rewrite(lab.paths.spool + "/" + u, text + Self.message(u, 6))
        }

        let run = try lab.runApproving(strategy, resume: true)
        #expect(run.status == 0, "\(run.output)")
        for u in Self.users {
            let stored = try Self.stored(lab.paths.maildir(u))
            #expect(stored == [
                "\(u) message 0": "S", "\(u) message 1": "FS", "\(u) message 2": "S", "\(u) message 4": "S",
                "\(u) message 5": "", "\(u) message 6": "",
            ], "\(strategy) \(u)")
        }
        let report = try lab.mailshift(["report", lab.plan(strategy), "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [String: Any])
        for row in try #require(object["users"] as? [[String: Any]]) {
            #expect(row["precopy_messages"] as? Int == 6, "\(row)")
            #expect(row["delta_messages"] as? Int == 1, "only the new message is copied in the window: \(row)")
            #expect(row["messages"] as? Int == 6)
            #expect(row["verify"] as? String == "passed")
            #expect(row["outcome"] as? String == "complete")
            #expect(row["downtime_s"] is Double)
        }
    }

    /// A run killed (SIGKILL) during its pre-copy, then resumed, ends as an uninterrupted run with
    /// pre-copy does, and as one without pre-copy: the same messages, flags and dates.
    @Test func aRunKilledDuringThePrecopyResumesExactly() throws {
        let strategy = "proxy"
        let plain = try LabRun.up(users: 12, messages: 3, seed: 21)
        defer { plain.down() }
        #expect(try plain.runApproving(strategy).status == 0)
        let reference = try ChaosEndToEndTests.endState(plain)

        let clean = try LabRun.up(users: 12, messages: 3, seed: 21)
        defer { clean.down() }
        try Self.enablePrecopy(clean, strategy)
        let started = Date()
        #expect(try clean.runApproving(strategy).status == 0)
        let duration = max(0.2, Date().timeIntervalSince(started))
        #expect(try ChaosEndToEndTests.endState(clean) == reference, "pre-copy changed the end state")

        var killed = 0
        for i in 0..<4 {
            let lab = try LabRun.up(users: 12, messages: 3, seed: 21)
            defer { lab.down() }
            try Self.enablePrecopy(lab, strategy)
            // Early in the run: the first batch's pre-copy runs first.
            let moment = duration * Double(i + 1) / 12
            let pid = try lab.start(["run", lab.plan(strategy)])
            usleep(UInt32(moment * 1_000_000))
            if kill(pid, SIGKILL) == 0 { killed += 1 }
            _ = LabRun.wait(pid)
            var finish = try lab.runApproving(strategy, resume: true)
            if finish.output.contains("nothing to resume") { finish = try lab.runApproving(strategy) }
            #expect(finish.status == 0, "#\(i) killed after \(moment) s: \(finish.output)")
            #expect(try ChaosEndToEndTests.endState(lab) == reference, "#\(i) killed after \(moment) s: the end state differs")
            let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
            #expect(verify.status == 0, "#\(i): \(verify.output)")
        }
        #expect(killed >= 2)
    }

    /// File names in a Maildir's `new` and `cur`.
    static func listing(_ maildir: String) -> Set<String> {
        Set(["new", "cur"].flatMap { sub in ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + sub)) ?? []).map { sub + "/" + $0 } })
    }

    /// Killed (SIGKILL) while the window moves the delta — the moment a user's store first changes:
    /// its renames, removals and new messages half done — then resumed: every store ends exactly
    /// as its mailbox is, nothing duplicated, the deleted message not resurrected. Each mailbox is
    /// large enough (1,500 messages, the first deleted, so all the others move) that the kill
    /// lands inside the delta, which the test checks.
    @Test func aRunKilledDuringTheDeltaResumesExactly() throws {
        let strategy = "simple"  // the window's import runs before the first gate
        let count = 1500
        var expected: [String: [String: String]] = [:]
        for u in Self.users {
            var e: [String: String] = [:]
            for n in 1...count { e["\(u) message \(n)"] = n == 1 ? "FS" : "" }
            expected[u] = e
        }
        /// A lab pre-copied, then changed on the legacy host: message 0 deleted (every other one
        /// moves up), message 1 read and flagged, message `count` delivered.
        func prepared() throws -> LabRun {
            let lab = try LabRun.up(users: Self.users.count, messages: 2, seed: 41)
            try Self.enablePrecopy(lab, strategy)
            for u in Self.users { try Self.rewrite(lab.paths.spool + "/" + u, (0..<count).map { Self.message(u, $0) }.joined()) }
            for batch in ["first", "second"] {
                let sync = try lab.mailshift(["sync", lab.plan(strategy), "--batch", batch])
                #expect(sync.status == 0, "\(sync.output)")
            }
            for u in Self.users {
                let text = (1..<count).map { n in n == 1 ? Self.message(u, n, status: "RO", xstatus: "F") : Self.message(u, n) }.joined()
                try Self.rewrite(lab.paths.spool + "/" + u, text + Self.message(u, count))
            }
            return lab
        }

        var midDelta = 0
        for round in 0..<3 {
            let lab = try prepared()
            defer { lab.down() }
            let before = Dictionary(uniqueKeysWithValues: Self.users.map { ($0, Self.listing(lab.paths.maildir($0))) })
            #expect(before[Self.users[0]]?.count == count, "the pre-copy stored every message")
            // Kill the moment user `round`'s store starts to change.
            let watched = Self.users[round]
            let pid = try lab.start(["resume", lab.plan(strategy)])
            let deadline = Date().addingTimeInterval(120)
            while Self.listing(lab.paths.maildir(watched)) == before[watched], Date() < deadline, kill(pid, 0) == 0 { usleep(500) }
            kill(pid, SIGKILL)
            _ = LabRun.wait(pid)
            let now = Self.listing(lab.paths.maildir(watched))
            let final = Set(now.filter { !before[watched]!.contains($0) })
            // Half done: some files renamed already, some still under their pre-copy names.
            if !final.isEmpty && now.count - final.count > 1 { midDelta += 1 }

            let finish = try lab.runApproving(strategy, resume: true)
            #expect(finish.status == 0, "round \(round): \(finish.output)")
            for u in Self.users {
                #expect(try Self.stored(lab.paths.maildir(u)) == expected[u], "round \(round) \(u)")
            }
            // The full digest check against each mailbox as it stands (while the lab keeps it).
            for u in Self.users where FileManager.default.fileExists(atPath: lab.paths.spool + "/" + u) {
                let verify = try lab.mailshift(["mbox", "verify", lab.paths.spool + "/" + u, "--maildir", lab.paths.maildir(u), "--mode", "digest"])
                #expect(verify.status == 0, "round \(round) \(u): \(verify.output)")
            }
        }
        #expect(midDelta >= 1, "no kill landed inside a delta")
    }

    /// `mailshift sync` killed (SIGKILL) inside the pre-copy — once as soon as the first user's
    /// Maildir exists, once as soon as its first messages are published, before any ledger —
    /// then run again; the mailboxes then change and the window runs: every store ends exact.
    @Test func aSyncKilledInsideThePrecopyThenTheWindowEndsExact() throws {
        let strategy = "simple"
        let count = 1500
        for round in 0..<2 {
            let lab = try LabRun.up(users: Self.users.count, messages: 2, seed: 43)
            defer { lab.down() }
            try Self.enablePrecopy(lab, strategy)
            for u in Self.users { try Self.rewrite(lab.paths.spool + "/" + u, (0..<count).map { Self.message(u, $0) }.joined()) }
            let maildir = lab.paths.maildir(Self.users[0])
            let pid = try lab.start(["sync", lab.plan(strategy), "--batch", "first"])
            let deadline = Date().addingTimeInterval(120)
            func landed() -> Bool {
                round == 0 ? FileManager.default.fileExists(atPath: maildir + "/tmp") : !Self.listing(maildir).isEmpty
            }
            while !landed(), Date() < deadline, kill(pid, 0) == 0 { usleep(200) }
            kill(pid, SIGKILL)
            _ = LabRun.wait(pid)
            let stored = Self.listing(maildir).count
            #expect(!FileManager.default.fileExists(atPath: maildir + "/" + PrecopyLedger.fileName) || stored == count,
                "round \(round): killed with \(stored) of \(count) stored")
            for batch in ["first", "second"] {
                let sync = try lab.mailshift(["sync", lab.plan(strategy), "--batch", batch])
                #expect(sync.status == 0, "round \(round): \(sync.output)")
            }
            #expect(Self.listing(maildir).count == count)
            for u in Self.users {
                let text = (1..<count).map { n in n == 1 ? Self.message(u, n, status: "RO", xstatus: "F") : Self.message(u, n) }.joined()
                try Self.rewrite(lab.paths.spool + "/" + u, text + Self.message(u, count))
            }
            let finish = try lab.runApproving(strategy, resume: true)
            #expect(finish.status == 0, "round \(round): \(finish.output)")
            for u in Self.users {
                var expected: [String: String] = [:]
                for n in 1...count { expected["\(u) message \(n)"] = n == 1 ? "FS" : "" }
                #expect(try Self.stored(lab.paths.maildir(u)) == expected, "round \(round) \(u)")
            }
        }
    }
}
