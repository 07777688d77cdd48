import ArgumentParser
import Foundation
import Journal
import Lab
import LDAPDriver
import MailshiftCLI
import MailshiftTestSupport
import PlanCompiler
import Steps
import Testing

/// `users_from` through the real commands and a real slapd: `run` searches the directory and
/// journals the list before any step; the directory then changes; `status`, `approve` and
/// `resume` use the journaled list, so the users moved are the ones found when the run started.
@Suite struct UsersFromRunTests {
    @Test func resumeMovesTheJournaledUsersAfterTheDirectoryChanged() async throws {
        let matching = ["ann", "bob", "cyd"]
        let slapd = try SlapdFixture(users: matching.map { DirectoryUser.mailUser($0) }
            + [DirectoryUser.mailUser("dan", mailHost: "elsewhere.example.edu")])
        defer { slapd.stop() }
        let plan = try Self.writePlan(slapd)
        let state = slapd.temp.file("state")
        let store = FileJournalStore(directory: state)

        // A dry-run searches (and shows) the users but journals nothing.
        try await RollbackCommandTests.run(["run", plan, "--state", state, "--dry-run"])
        #expect(try store.readHeader() == nil)

        // The run stops at the batch's approval gate, before any other step: the list is journaled.
        let first = await #expect(throws: ExitCode.self) { try await RollbackCommandTests.run(["run", plan, "--state", state]) }
        #expect(first == .awaitingApproval)
        #expect(try ResolvedUsers.latest(in: store)["archive"]?.users == matching)
        let header = try #require(try store.readHeader())
        let journaledGraph = try #require(Compiler.compile(planAt: plan, resolvedUsers: ["archive": matching]).graph)
        #expect(header.graphFingerprint == journaledGraph.fingerprint.hex)

        // The directory changes: ann no longer matches, dan now does.
        try slapd.replace("ann", "mailHost", "elsewhere.example.edu")
        try slapd.replace("dan", "mailHost", "oldmail.example.edu")
        let now = try await DirectoryUserSearch(endpoint: slapd.endpoint()).users(matching: Self.filter)
        #expect(now == ["bob", "cyd", "dan"])

        try await RollbackCommandTests.run(["status", plan, "--state", state])
        try await RollbackCommandTests.run(["approve", plan, "archive/approve", "--state", state])
        let second = await #expect(throws: ExitCode.self) { try await RollbackCommandTests.run(["resume", plan, "--state", state]) }
        #expect(second == .awaitingApproval, "stops at global/clients-repointed")

        // Exactly the journaled users were moved; dan, found only now, was not; no second search.
        for user in matching { #expect(try slapd.values(user, "mailHost") == ["newmail.example.edu"], "\(user)") }
        #expect(try slapd.values("dan", "mailHost") == ["oldmail.example.edu"])
        var lists = 0
        _ = try store.read(full: true) { if $0.kind == .resolved { lists += 1 } }
        #expect(lists == 1)
        #expect(try store.readHeader()?.graphFingerprint == journaledGraph.fingerprint.hex, "no plan change")
        for user in matching {
            #expect(FileManager.default.fileExists(atPath: slapd.temp.file("store/\(user)/Maildir/cur")), "\(user) imported")
        }
        #expect(!FileManager.default.fileExists(atPath: slapd.temp.file("store/dan")))
    }

    static let filter = "(mailHost=oldmail.example.edu)"

    /// A simple-strategy plan on this machine: one `users_from` batch behind an approval gate.
    static func writePlan(_ slapd: SlapdFixture, legacyStop: String = "[/bin/true]", approve: Bool = true) throws -> String {
        let root = slapd.temp.path
        let spool = slapd.temp.file("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        for user in ["ann", "bob", "cyd", "dan"] {
            let mbox = "From \(user)@example.edu Mon Jan  6 10:00:00 2025\nSubject: hello\n\nbody\n"
            try mbox.write(toFile: spool + "/" + user, atomically: true, encoding: .utf8)
        }
        let directory = try slapd.slapd.planDirectorySection(passwordFile: slapd.temp.file("lab-password"))
        let text = """
            version: 1
            name: users-from-test
            strategy: simple
            hosts:
              legacy: { address: oldmail.example.edu, connect: local, roles: [legacy] }
              store: { address: newmail.example.edu, connect: local, roles: [store] }
            \(directory)source: { host: legacy, spool: "\(spool)", lock: false }
            store: { kind: maildir, path: "\(root)/store/{user}/Maildir" }
            services:
              legacy_mta: { host: legacy, stop: \(legacyStop) }
              store_server: { host: store, start: [/bin/true] }
            batches:
              - name: archive
                users_from: { filter: "\(filter)" }
                approve: \(approve)

            """
        let plan = slapd.temp.file("plan.yaml")
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        return plan
    }
}
