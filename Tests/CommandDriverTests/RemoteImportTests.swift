import CommandDriver
import Foundation
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// The mailbox agent deployment: the built `mailshift` binary runs `mbox import` on the remote
/// host (here the loopback sshd) through the ssh transport.
@Suite struct RemoteImportTests {
    /// The `mailshift` built beside the test bundle (or named by `MAILSHIFT_AGENT`), if it has the
    /// `mbox import` agent command.
    static let agent: String? = {
        guard let dir = Bundle.main.executableURL?.deletingLastPathComponent() else { return nil }
        let path = ProcessInfo.processInfo.environment["MAILSHIFT_AGENT"] ?? dir.appendingPathComponent("mailshift").path
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: path)
        probe.arguments = ["mbox", "import", "--help"]
        let help = Pipe()
        probe.standardOutput = help
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return nil }
        let text = String(decoding: help.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        return probe.terminationStatus == 0 && text.contains("--maildir") ? path : nil
    }()

    static let mbox = """
        From alice@example.org Mon Jan  5 10:00:00 2026
        From: alice@example.org
        Subject: one

        first
        >From the start

        From bob@example.org Tue Jan  6 11:00:00 2026
        From: bob@example.org
        Subject: two

        second

        From carol@example.org Wed Jan  7 12:00:00 2026
        From: carol@example.org
        Subject: three

        third

        """

    @Test(.enabled(if: agent != nil, "needs the built mailshift with `mbox import` (swift build)"))
    func importsAMailboxOnTheRemoteHost() async throws {
        let agent = try #require(Self.agent)
        try await SSHDFixture.with { sshd in
            let spool = sshd.directory.file("spool o'neil")
            try Self.mbox.write(toFile: spool, atomically: true, encoding: .utf8)
            let maildir = sshd.directory.file("Maildir")
            let ssh = SSHTransport(.init(configFile: sshd.clientConfig))
            let argv = [agent, "mbox", "import", spool, "--maildir", maildir, "--variant", "mboxo", "--format", "json"]
            let first = try await ssh.run(argv, on: sshd.endpoint, stdin: nil, timeout: 120)
            let second = try await ssh.run(argv, on: sshd.endpoint, stdin: nil, timeout: 120)
            await ssh.close()
            #expect(first.status == 0, "\(String(decoding: first.stderr, as: UTF8.self))")
            let report = try JSONSerialization.jsonObject(with: first.stdout) as? [String: Any]
            #expect(report?["messages"] as? Int == 3)
            #expect(report?["imported"] as? Int == 3)
            let again = try JSONSerialization.jsonObject(with: second.stdout) as? [String: Any]
            #expect(again?["imported"] as? Int == 0)
            let stored = ["new", "cur"].flatMap { (try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\($0)")) ?? [] }
            #expect(stored.count == 3)
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift with `mbox import` (swift build)"))
    func mailboxStepsOnAnSSHHostRunTheAgentThroughTheTransport() async throws {
        let agent = try #require(Self.agent)
        try await SSHDFixture.with { sshd in
            let spool = sshd.directory.file("alice")
            try Self.mbox.write(toFile: spool, atomically: true, encoding: .utf8)
            let maildir = sshd.directory.file("store/alice/Maildir")
            let transport = HostTransport(ssh: SSHTransport(.init(configFile: sshd.clientConfig)))
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let store = StoreTarget(kind: .maildir, host: sshd.endpoint.name, maildir: maildir)
            let importStep = makeStep(
                .mailboxImport(MailboxImportParameters(mbox: spool, format: "mboxo", timezone: "UTC", store: store, lock: true)),
                id: "pilot/import/alice", host: sshd.endpoint)
            let verifyStep = makeStep(
                .mailboxVerify(
                    MailboxVerifyParameters(
                        mbox: spool, timezone: "UTC", store: store, mode: .digest,
                        importStep: StepReference(idPrefix: "pilot/import/alice", sameUser: false))),
                id: "pilot/verify/alice", host: sshd.endpoint)
            do {
                let importer = try #require(runners[.mailboxImport])
                #expect(try await importer.inspect(importStep, context: StepContext(dryRun: true)).state == .pending)
                let imported = try await importer.apply(importStep, context: StepContext(dryRun: false))
                #expect(imported["imported"] == "3")
                #expect(try await importer.inspect(importStep, context: StepContext(dryRun: true)).state == .done)
                let verifier = try #require(runners[.mailboxVerify])
                let verified = try await verifier.apply(verifyStep, context: StepContext(dryRun: false, outputs: { _ in imported }))
                #expect(verified["passed"] == "true")
            } catch {
                await transport.close()
                throw error
            }
            await transport.close()
        }
    }
}
