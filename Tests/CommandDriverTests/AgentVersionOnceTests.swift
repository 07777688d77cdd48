import CommandDriver
import Foundation
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// The one-host agent path checks the remote `mailshift --version` once per host per run, not
/// before every call (a wrapper on the host logs every invocation of the agent).
@Suite struct AgentVersionOnceTests {
    @Test(.enabled(if: BuiltMailshift.path != nil, "needs the built mailshift (swift build)"))
    func theVersionIsAskedOncePerHost() async throws {
        let binary = try #require(BuiltMailshift.path)
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: binary)
        probe.arguments = ["--version"]
        let out = Pipe()
        probe.standardOutput = out
        try probe.run()
        let version = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        probe.waitUntilExit()

        try await SSHDFixture.with { sshd in
            let log = sshd.directory.file("calls")
            let wrapper = sshd.directory.file("mailshift-logged")
            try "#!/bin/sh\necho \"$1\" >> '\(log)'\nexec '\(binary)' \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
            chmod(wrapper, 0o755)
            let spool = sshd.directory.file("alice")
            try RemoteImportTests.mbox.write(toFile: spool, atomically: true, encoding: .utf8)
            let maildir = sshd.directory.file("store/alice/Maildir")
            let transport = HostTransport(ssh: SSHTransport(.init(configFile: sshd.clientConfig)))
            defer { Task { await transport.close() } }
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: wrapper, agentVersion: version)
            let store = StoreTarget(kind: .maildir, host: sshd.endpoint.name, maildir: maildir)
            let step = makeStep(
                .mailboxImport(MailboxImportParameters(mbox: spool, format: "mboxo", timezone: "UTC", store: store, lock: false)),
                id: "pilot/import/alice", host: sshd.endpoint)
            let importer = try #require(runners[.mailboxImport])
            _ = try await importer.inspect(step, context: StepContext(dryRun: true))
            _ = try await importer.apply(step, context: StepContext(dryRun: false))
            _ = try await importer.inspect(step, context: StepContext(dryRun: true))
            let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            #expect(calls.filter { $0 == "--version" }.count == 1, "\(calls)")
            #expect(calls.filter { $0 == "mbox" }.count == 3, "\(calls)")
        }
    }
}
