import Foundation
import Lab
import Testing

/// Preflight finds, before any step runs, each failure a run would otherwise meet halfway: a user
/// with no entry, attributes the entries' object classes forbid, a missing home for `.forward`,
/// an ambiguous mailbox the plan does not say how to read, a program missing on its host.
@Suite(.labThreads) struct PreflightTests {
    @Test func preflightFindsEveryFailureBeforeAnyStepRuns() throws {
        let lab = try LabRun.up(users: 8, messages: 2, seed: 41)
        defer { lab.down() }
        let path = lab.plan("forward")
        var plan = try String(contentsOfFile: path, encoding: .utf8)
        let edits = [
            (#"users: ["user001", "#, #"users: ["ghost", "user001", "#),  // no entry
            ("profile: messaging-server", "profile: sims"),  // emailPersonStatus: not allowed on the lab's entries
            ("  if_ambiguous: mboxo      # the lab's MDA writes mboxo; its mboxrd files show `>>From `\n", ""),
            (#"store_server: { host: store, start: [""#, #"store_server: { host: store, start: ["/nonexistent/start-store", ""#),
        ]
        for (old, new) in edits {
            #expect(plan.contains(old), "the lab plan changed: \(old)")
            plan = plan.replacingOccurrences(of: old, with: new)
        }
        try plan.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: lab.paths.homes + "/user002")
        let before = try lab.snapshot()

        let text = try lab.mailshift(["preflight", path])
        #expect(text.status == 2, "\(text.output)")
        for expected in [
            "✗ directory.entries", "ghost: ldap search", "no entry matches",
            "✗ directory.schema", "do not allow emailPersonStatus", "hint: add ",
            "✗ forward.homes", "user002: ", "does not exist",
            "✗ mailbox.variants", "if_ambiguous",
            "✗ commands", "/nonexistent/start-store: not found",
        ] {
            #expect(text.output.contains(expected), "missing \(expected) in\n\(text.output)")
        }
        // The entries were looked up in batches, not one search per user.
        #expect(text.output.contains("9 users looked up in 1 search (+1 single ones)"), "\(text.output)")

        let dry = try lab.mailshift(["run", path, "--dry-run", "--format", "json"])
        #expect(dry.status == 2)
        let line = try #require(dry.output.split(separator: "\n").first { $0.hasPrefix("{\"format\"") })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let failing = ((document["preflight"] as? [[String: Any]]) ?? []).filter { (($0["problems"] as? [Any]) ?? []).count > 0 }
        #expect(Set(failing.compactMap { $0["check"] as? String })
            == ["directory.entries", "directory.schema", "forward.homes", "mailbox.variants", "commands"])
        #expect(try lab.snapshot() == before, "preflight and the dry-run changed nothing")
        #expect(!FileManager.default.fileExists(atPath: lab.dir + "/plans/.mailshift/lab-forward"), "no journal was written")
    }
}
