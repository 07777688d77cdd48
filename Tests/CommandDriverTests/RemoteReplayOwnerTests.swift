import CommandDriver
import Foundation
import Glibc
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// `saved.import` through the agent on an ssh host writes the saved mail owned by the store
/// owner, as `mailbox.import` does (the agent runs as root there).
@Suite struct RemoteReplayOwnerTests {
    @Test(.enabled(if: RemoteImportTests.agent != nil && SystemUser.available, "needs root and the built mailshift"))
    func savedMailImportedOverSSHBelongsToTheStoreOwner() async throws {
        let agent = try #require(RemoteImportTests.agent)
        let user = try SystemUser()
        defer { user.delete() }
        try await SSHDFixture.with { sshd in
            let saved = sshd.directory.file("saved-alice")
            try RemoteImportTests.mbox.write(toFile: saved, atomically: true, encoding: .utf8)
            let maildir = sshd.directory.file("store/alice/Maildir")
            let transport = HostTransport(ssh: SSHTransport(.init(configFile: sshd.clientConfig)))
            let store = StoreTarget(kind: .maildir, host: sshd.endpoint.name, maildir: maildir, owner: user.name)
            let step = makeStep(
                .savedImport(SavedImportParameters(savedPath: saved, timezone: "UTC", store: store)), id: "pilot/saved/alice",
                host: sshd.endpoint)
            do {
                let runner = SavedImportRunner(transport: transport, agentExecutable: agent)
                #expect(try await runner.apply(step, context: StepContext(dryRun: false))["imported"] == "3")
            } catch {
                await transport.close()
                throw error
            }
            await transport.close()
            let files = MaildirIndex.files(maildir)
            #expect(files.count == 3)
            for path in files + [maildir] {
                var st = stat()
                #expect(lstat(path, &st) == 0 && st.st_uid == user.uid, "\(path) is owned by uid \(st.st_uid)")
            }
        }
    }
}
