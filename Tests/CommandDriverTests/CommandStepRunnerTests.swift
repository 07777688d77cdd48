import CommandDriver
import Foundation
import MailshiftTestSupport
import Steps
import Testing

@Suite struct CommandStepRunnerTests {
    /// Names that would create `canary` in the command's working directory if a shell ran them.
    static let evilUsers = [
        "alice", "bob o'neil", "$(touch canary)", "x;touch canary", "`touch canary`", "new\ntouch canary", "\"q\"", "-n",
        "'; touch canary; '",
    ]

    static func perUserRoundTrip(host: HostEndpoint, dir: TemporaryDirectory, transport: any CommandTransport) async throws {
        let users = evilUsers
        let out = dir.file("out")
        let canary = dir.file("out/canary")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let counter = dir.file("counter")
        let step = makeStep(
            .command(
                CommandParameters(
                    purpose: "hold_slave", argv: ["sh", "-c", "cd \"$1\" && echo run >> \"$0\" && : > \"./$2\"", counter, out, "{user}"],
                    check: ["test", "-e", "\(out)/{user}"])),
            host: host, users: users)
        let runner = CommandStepRunner(transport: transport)
        let log = CheckpointLog()
        let before = try await runner.inspect(step, context: log.context())
        #expect(before.state == .pending)
        #expect(before.changes.count == users.count)
        let outputs = try await runner.apply(step, context: log.context())
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out)) == Set(users))
        #expect(users.allSatisfy { outputs["status.\($0)"] == "0" })
        #expect(await log.records.count == users.count)
        // Idempotent: the check now passes for everyone; nothing runs a second time.
        #expect(try await runner.inspect(step, context: log.context()).state == .done)
        let second = try await runner.apply(step, context: log.context())
        #expect(users.allSatisfy { second["status.\($0)"] == "already" })
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == String(repeating: "run\n", count: users.count))
        #expect(!FileManager.default.fileExists(atPath: canary))
    }

    @Test func runsPerUserLocallyWithoutInjection() async throws {
        let dir = try TemporaryDirectory(prefix: "cmd")
        defer { dir.remove() }
        try await Self.perUserRoundTrip(host: localHost, dir: dir, transport: HostTransport())
    }

    @Test func runsPerUserOverSSHWithoutInjection() async throws {
        try await SSHDFixture.with { sshd in
            let transport = SSHTransport(.init(configFile: sshd.clientConfig))
            do {
                try await Self.perUserRoundTrip(host: sshd.endpoint, dir: sshd.directory, transport: transport)
            } catch {
                await transport.close()
                throw error
            }
            await transport.close()
        }
    }

    /// A per-user command failing for one user sets that user aside; the others are run and
    /// checkpointed, so a resume runs it only for the one set aside.
    @Test func aUserWhoseCommandFailsIsSetAsideAndTheOthersRun() async throws {
        let dir = try TemporaryDirectory(prefix: "cmd")
        defer { dir.remove() }
        // The site's command refuses bob (exit 1) and marks the others done.
        let step = makeStep(
            .command(CommandParameters(purpose: "test", argv: ["/bin/sh", "-c", #"test "$1" != bob && touch "$2""#, "sh", "{user}", dir.file("{user}.done")])),
            host: localHost, users: ["alice", "bob", "carol"])
        let log = CheckpointLog()
        let failure = try await #require(throws: UsersSetAside.self) {
            try await CommandStepRunner(transport: LocalTransport()).apply(step, context: log.context())
        }
        #expect(failure.users == ["bob"], "\(failure.summary)")
        #expect(FileManager.default.fileExists(atPath: dir.file("alice.done")) && FileManager.default.fileExists(atPath: dir.file("carol.done")))
        let recorded = await log.records.reduce(StepOutputs()) { $0.merging($1) }
        #expect(recorded["status.alice"] == "0" && recorded["status.carol"] == "0" && recorded["status.bob"] == nil)
    }

    @Test func aResumedStepSkipsUsersAlreadyDone() async throws {
        let dir = try TemporaryDirectory(prefix: "cmd")
        defer { dir.remove() }
        let step = makeStep(.command(CommandParameters(purpose: "test", argv: ["touch", dir.file("{user}")])), host: localHost, users: ["alice", "bob"])
        let outputs = try await CommandStepRunner(transport: LocalTransport()).apply(
            step, context: CheckpointLog().context(previous: ["status.alice": "0"]))
        #expect(!FileManager.default.fileExists(atPath: dir.file("alice")))
        #expect(FileManager.default.fileExists(atPath: dir.file("bob")))
        #expect(outputs["status.bob"] == "0")
    }

    @Test func withoutACheckInspectListsTheCommandOnceAsUnknown() async throws {
        let step = makeStep(.command(CommandParameters(purpose: "dirsync", argv: ["imta", "dirsync"])), host: localHost)
        let inspection = try await CommandStepRunner(transport: LocalTransport()).inspect(step, context: StepContext(dryRun: true))
        #expect(inspection.state == .unknown)
        #expect(inspection.changes.map(\.text) == ["run on here: `imta dirsync`"])
        #expect(inspection.reason?.contains("imta") == false)
    }

    @Test func recordsExitStatusAndOutputTail() async throws {
        let ok = makeStep(.command(CommandParameters(purpose: "test", argv: ["sh", "-c", "seq 1 1000"])), host: localHost)
        let outputs = try await CommandStepRunner(transport: LocalTransport()).apply(ok, context: StepContext(dryRun: false))
        #expect(outputs["exit_status"] == "0")
        #expect(outputs["stdout_tail"]?.hasSuffix("999\n1000") == true)
        #expect((outputs["stdout_tail"]?.utf8.count ?? 0) <= 512)

        let bad = makeStep(.command(CommandParameters(purpose: "test", argv: ["sh", "-c", "echo no such user >&2; exit 4"])), host: localHost)
        do {
            _ = try await CommandStepRunner(transport: LocalTransport()).apply(bad, context: StepContext(dryRun: false))
            Issue.record("expected a failure")
        } catch let failure as CommandFailure {
            #expect(failure.reason == .exitStatus(4))
            #expect(failure.disposition == .permanent)
            #expect(failure.summary.hasSuffix("exited with status 4: no such user"))
        }
    }
}
