import Foundation
import Lab
import Testing

/// `run PLAN --dry-run --out FILE` saves the preview; `run PLAN --plan FILE` applies it only while
/// the live systems still read as they did, naming what drifted otherwise.
@Suite(.labThreads) struct SavedPlanTests {
    @Test func aSavedPlanAppliesWhileNothingMoved() throws {
        let lab = try LabRun.up(users: 4, messages: 3, seed: 61)
        defer { lab.down() }
        let path = lab.plan("simple")
        let saved = lab.dir + "/simple.plan.json"
        let dry = try lab.mailshift(["run", path, "--dry-run", "--out", saved])
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("saved this plan to \(saved)"), "\(dry.output)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        #expect(document["kind"] as? String == "mailshift.saved-plan")
        let steps = ((document["preview"] as? [String: Any])?["steps"] as? [[String: Any]]) ?? []
        #expect(steps.contains { ($0["observed"] as? [String: String])?.keys.contains(lab.paths.spoolFile("user001")) == true },
            "the import step's preview rests on the source mailbox's identity")

        let first = try lab.mailshift(["run", path, "--plan", saved])
        #expect(first.output.contains("the live systems match the saved plan"), "\(first.output)")
        #expect(first.status == 0 || first.status == 3, "it ran, to the end or to a gate\n\(first.output)")
        let run = first.status == 3 ? try lab.runApproving("simple", resume: true) : first
        #expect(run.status == 0, "\(run.output)")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "simple"])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test func aSavedPlanIsRefusedAfterADirectoryValueOrAMailboxChanged() throws {
        let lab = try LabRun.up(users: 4, messages: 3, seed: 62)
        defer { lab.down() }
        let path = lab.plan("simple")
        let saved = lab.dir + "/simple.plan.json"
        #expect(try lab.mailshift(["run", path, "--dry-run", "--out", saved]).status == 0)

        // Someone changes user002's routing by hand after the review.
        let config = try LabConfig.load(lab.paths)
        let dn = "uid=user002," + config.peopleBase
        let ldif = lab.dir + "/drift.ldif"
        try "dn: \(dn)\nchangetype: modify\nreplace: mailHost\nmailHost: elsewhere.example\n".write(toFile: ldif, atomically: true, encoding: .utf8)
        _ = try LabProcess.output("/usr/bin/ldapmodify", [
            "-x", "-H", config.ldapURL, "-D", config.bindDN, "-y", lab.paths.run + "/ldap.bindpw", "-f", ldif,
        ])
        let before = try lab.snapshot()
        let refused = try lab.mailshift(["run", path, "--plan", saved])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("no longer matches"), "\(refused.output)")
        #expect(refused.output.contains("\(dn): mailHost: elsewhere.example"), "the drift names the entry and its value now\n\(refused.output)")
        #expect(try lab.snapshot() == before, "a refused saved plan changes nothing")

        // A fresh preview is saved; then new mail reaches user004's mailbox (tolerated: the import
        // takes it in), and a POP client rewrites user003's (a new file: refused).
        #expect(try lab.mailshift(["run", path, "--dry-run", "--out", saved]).status == 0)
        let spool = try FileHandle(forWritingTo: URL(fileURLWithPath: lab.paths.spoolFile("user004")))
        try spool.seekToEnd()
        try spool.write(contentsOf: Data("From late@example.org Mon Dec  1 10:00:00 2026\nSubject: late\n\nlate mail\n\n".utf8))
        try spool.close()
        let rewritten = lab.paths.spoolFile("user003")
        let kept = try Data(contentsOf: URL(fileURLWithPath: rewritten))
        try kept.write(to: URL(fileURLWithPath: rewritten + ".new"))
        try FileManager.default.removeItem(atPath: rewritten)
        try FileManager.default.moveItem(atPath: rewritten + ".new", toPath: rewritten)
        let again = try lab.mailshift(["run", path, "--plan", saved])
        #expect(again.status == 1, "\(again.output)")
        #expect(again.output.contains(rewritten + " changed since the preview"), "\(again.output)")
        #expect(!again.output.contains(lab.paths.spoolFile("user004")), "a mailbox that only grew is not drift\n\(again.output)")
        #expect(!FileManager.default.fileExists(atPath: lab.dir + "/plans/.mailshift/lab-simple/journal.log"), "no run began")
    }
}
