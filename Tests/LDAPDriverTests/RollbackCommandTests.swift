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

/// `mailshift rollback` against a real journal and slapd: the batch's ldap.set step applied and
/// journaled, then refused (an entry changed since), forced, and repeated (nothing to do).
@Suite struct RollbackCommandTests {
    @Test func rollbackCommandRefusesThenForcesThenHasNothingToDo() async throws {
        let simple = StrategyDirectoryStepsTests.plans.appendingPathComponent("simple.yaml").path
        let users = try #require(Compiler.compile(planAt: simple).graph).users
        let slapd = try SlapdFixture(users: users.map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        let plan = try SlapdPlanSectionTests.labPlan(from: simple, slapd: slapd)
        let graph = try #require(Compiler.compile(planAt: plan).graph)
        let t = try #require(graph.templates.firstIndex { $0.kind == .ldapSet })
        let index = graph.steps(ofTemplate: t).lowerBound
        let step = graph.step(index)
        let directory = try #require(graph.directory)
        let outputs = try await LDAPSetRunner().apply(step, context: RecordingContext().context(directory: directory))

        let state = slapd.temp.file("state")
        let store = FileJournalStore(directory: state)
        try store.beginAppending(header: JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName,
                                                       stepCount: graph.stepCount))
        try store.appendNow([.done(step, how: "applied", outputs: outputs)])
        store.close()
        let batch = try #require(step.batch)
        let (first, second) = (users[0], users[1])
        try slapd.replace(second, "mailHost", "elsewhere.example.edu")

        let refused = await #expect(throws: ExitCode.self) { try await Self.run(["rollback", plan, "--batch", batch, "--state", state]) }
        #expect(refused == .stepsFailed)
        #expect(try slapd.values(first, "mailHost") != ["oldmail.example.edu"], "nothing restored while one is refused")

        try await Self.run(["rollback", plan, "--batch", batch, "--state", state, "--dry-run", "--force"])
        #expect(try slapd.values(first, "mailHost") != ["oldmail.example.edu"], "a dry-run writes nothing")

        try await Self.run(["rollback", plan, "--batch", batch, "--state", state, "--force"])
        #expect(try slapd.values(first, "mailHost") == ["oldmail.example.edu"])
        #expect(try slapd.values(second, "mailHost") == ["oldmail.example.edu"])
        // The journal agrees with the directory: the rolled-back step is pending again, its
        // original values kept, and status says so.
        let replayed = try JournalState.load(from: FileJournalStore(directory: state), for: graph)
        #expect(replayed.status[index] == .pending)
        #expect(replayed.outputs[index] == outputs)
        let status = try await Self.output(["status", plan, "--state", state, "--format", "json"])
        #expect(status.contains("\"pending\""))
        try await Self.run(["rollback", plan, "--batch", batch, "--state", state])
    }

    /// Runs a command in-process; what it prints is collected, not shown in the test log.
    static func run(_ arguments: [String]) async throws {
        _ = try await output(arguments)
    }

    static func output(_ arguments: [String]) async throws -> String {
        try await Console.transcript {
            var command = try Mailshift.parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        }.1
    }
}
