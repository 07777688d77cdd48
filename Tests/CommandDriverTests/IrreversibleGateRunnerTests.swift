import CommandDriver
import Foundation
import MailshiftTestSupport
import Steps
import Testing

/// The runners of the working-system gate (`working.check`) and of `services.deluser`
/// (`user.delete`), against real commands.
@Suite struct IrreversibleGateRunnerTests {
    static let verified = StepOutputs(
        encoding: MailboxVerifyOutputs(passed: true, mode: .digest, messages: 3, destinationMessages: 3, sourceIdentity: "1:2:3"))

    static func deluser(_ argv: [String], check: [String]? = nil, host: HostEndpoint) -> StepInstance {
        makeStep(
            .userDelete(UserDeleteParameters(argv: argv, check: check, verifyStep: StepReference(idPrefix: "pilot/verify/ada", sameUser: false))),
            id: "pilot/deluser/ada", host: host)
    }

    @Test func theCheckFailsTheGateUntilItPasses() async throws {
        let dir = try TemporaryDirectory(prefix: "wcheck")
        defer { dir.remove() }
        let flag = dir.file("working")
        let step = makeStep(.workingCheck(WorkingCheckParameters(argv: ["test", "-e", flag])), id: "pilot/working-check", host: localHost)
        let runner = WorkingCheckRunner(transport: HostTransport())
        // A preview shows what would run and runs nothing.
        let preview = try await runner.inspect(step, context: StepContext(dryRun: true))
        #expect(preview.state == .pending && preview.changes.first?.text.contains("test -e \(flag)") == true)
        await #expect {
            _ = try await runner.apply(step, context: CheckpointLog().context())
        } throws: { error in
            let e = error as? WorkingCheckFailure
            return e?.disposition == .permanent && e?.summary.contains("working-system check failed") == true
                && e?.hint?.contains("nothing irreversible ran") == true
        }
        #expect(FileManager.default.createFile(atPath: flag, contents: nil))
        let outputs = try await runner.apply(step, context: CheckpointLog().context())
        #expect(outputs["runs"] == "1")
    }

    @Test func theCheckMustKeepPassingForItsPeriod() async throws {
        let dir = try TemporaryDirectory(prefix: "wcheck")
        defer { dir.remove() }
        let count = dir.file("count")
        // Passes once, then fails: with a period, a second run always comes (after the period at
        // the latest) and sees the failure.
        let argv = ["sh", "-c", "echo x >> \"$0\"; test $(wc -l < \"$0\") -le 1", count]
        let runner = WorkingCheckRunner(transport: HostTransport())
        let step = makeStep(.workingCheck(WorkingCheckParameters(argv: argv, period: 2, interval: 1)), host: localHost)
        await #expect(throws: WorkingCheckFailure.self) { _ = try await runner.apply(step, context: CheckpointLog().context()) }
        #expect(try String(contentsOfFile: count, encoding: .utf8) == "x\nx\n")
        // A command that keeps passing passes after the period, having run more than once.
        let steady = makeStep(.workingCheck(WorkingCheckParameters(argv: ["true"], period: 2, interval: 1)), host: localHost)
        let started = Date()
        let outputs = try await runner.apply(steady, context: CheckpointLog().context())
        #expect(Date().timeIntervalSince(started) >= 2)
        #expect(Int(outputs["runs"] ?? "") ?? 0 >= 2)
    }

    @Test func deluserRefusesAnUnverifiedUser() async throws {
        let dir = try TemporaryDirectory(prefix: "deluser")
        defer { dir.remove() }
        let marker = dir.file("deleted-ada")
        let step = Self.deluser(["touch", marker], host: localHost)
        let runner = UserDeleteRunner(transport: HostTransport())
        await #expect {
            _ = try await runner.apply(step, context: CheckpointLog().context())
        } throws: { ($0 as? StepRefusal)?.summary.contains("has not passed") == true }
        #expect(!FileManager.default.fileExists(atPath: marker))
        // A failed verify is no better than none.
        let failed = StepOutputs(
            encoding: MailboxVerifyOutputs(passed: false, mode: .digest, messages: 3, destinationMessages: 2, sourceIdentity: "1:2:3"))
        await #expect(throws: StepRefusal.self) {
            _ = try await runner.apply(step, context: CheckpointLog().context(outputs: { _ in failed }))
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func deluserRunsOnItsOwnHostOverSSH_andItsPreviewShowsTheCommand() async throws {
        try await SSHDFixture.with { sshd in
            let d = sshd.directory
            let log = d.file("deluser.log")
            // Records the host the command ran on (the ssh session sets SSH_CONNECTION).
            let step = Self.deluser(
                ["sh", "-c", "echo \"$1 ${SSH_CONNECTION:+ssh}\" >> \"$0\"", log, "ada"], check: ["grep", "-q", "^ada", log], host: sshd.endpoint)
            let transport = SSHTransport(.init(configFile: sshd.clientConfig))
            let runner = UserDeleteRunner(transport: transport)
            do {
                let preview = try await runner.inspect(step, context: StepContext(dryRun: true))
                #expect(preview.state == .pending)
                let change = try #require(preview.changes.first)
                #expect(change.marker == .irreversible)
                #expect(change.text.contains("run on \(sshd.endpoint.name): `sh -c "), "\(change.text)")
                #expect(change.text.contains("\(log) ada`"), "\(change.text)")
                let outputs = try await runner.apply(step, context: CheckpointLog().context(outputs: { _ in Self.verified }))
                #expect(outputs["exit_status"] == "0")
                #expect(try String(contentsOfFile: log, encoding: .utf8) == "ada ssh\n")
                // Its check now says done, and a second apply runs nothing.
                #expect(try await runner.inspect(step, context: StepContext(dryRun: true)).state == .done)
                #expect(try await runner.apply(step, context: CheckpointLog().context(outputs: { _ in Self.verified }))["exit_status"] == "already")
                #expect(try String(contentsOfFile: log, encoding: .utf8) == "ada ssh\n")
            } catch {
                await transport.close()
                throw error
            }
            await transport.close()
        }
    }
}
