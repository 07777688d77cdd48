import ArgumentParser
import Foundation
import Lab
import MailshiftTestSupport
import Testing

/// Approvals name who approved, when and why; a gate the run has not reached needs `--ahead`.
@Suite struct ApprovalRecordTests {
    @Test func approvalsRecordWhoAndWhyAndGatesAheadNeedAFlag() async throws {
        let slapd = try SlapdFixture(users: ["ann", "bob"].map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        let plan = try UsersFromRunTests.writePlan(slapd)
        let state = slapd.temp.file("state")
        let command = { (arguments: [String]) async throws in try await RollbackCommandTests.run(arguments + ["--state", state]) }

        // A plan that never ran: nothing is waiting.
        let early = await #expect(throws: ExitCode.self) { try await command(["approve", plan, "archive/approve"]) }
        #expect(early == .usage)

        let first = await #expect(throws: ExitCode.self) { try await command(["run", plan]) }
        #expect(first == .awaitingApproval)
        try await command(["approve", plan, "archive/approve", "--as", "Ann Admin", "--comment", "pilot users were told"])

        // The simple strategy's later gate is not reached yet.
        let ahead = await #expect(throws: ExitCode.self) { try await command(["approve", plan, "global/clients-repointed"]) }
        #expect(ahead == .usage)
        try await command(["approve", plan, "global/clients-repointed", "--ahead"])

        let text = try await RollbackCommandTests.output(["status", plan, "--state", state])
        #expect(text.contains("approved archive/approve by Ann Admin ("))
        #expect(text.contains(": pilot users were told\n"))
        let json = try await RollbackCommandTests.output(["status", plan, "--state", state, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let approvals = try #require(object["approvals"] as? [[String: Any]])
        #expect(approvals.map { $0["step"] as? String } == ["archive/approve", "global/clients-repointed"])
        #expect(approvals.first?["comment"] as? String == "pilot users were told")
        #expect((approvals.last?["by"] as? String)?.contains("@") == true, "the login and host are recorded")
    }
}
