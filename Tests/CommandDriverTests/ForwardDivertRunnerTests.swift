import CommandDriver
import Foundation
import MailshiftTestSupport
import Steps
import Testing

/// `.forward` ownership in these tests: they run as root, so `.unchanged` leaves files owned by
/// root (the running user) for made-up users, and `.mailUser` is exercised with the real system
/// account `daemon`.
@Suite struct ForwardDivertRunnerTests {
    static func homes(_ dir: TemporaryDirectory, _ users: [String]) throws -> String {
        for u in users { try FileManager.default.createDirectory(atPath: dir.file("home/\(u)"), withIntermediateDirectories: true) }
        return dir.file("home/{user}/.forward")
    }

    /// The saved-mail path beside the homes: `DIR/saved/{user}` for `DIR/home/{user}/.forward`.
    static func savedPath(forward: String) -> String {
        guard let r = forward.range(of: "/home/") else { return "/nonexistent/saved/{user}" }
        return forward[..<r.lowerBound] + "/saved/{user}"
    }

    static func steps(forward: String, host: HostEndpoint, users: [String]) -> (divert: StepInstance, restore: StepInstance) {
        let divert = makeStep(
            .forwardDivert(ForwardDivertParameters(forwardFile: forward, savedPath: savedPath(forward: forward), keepLocal: true)),
            id: "pilot/divert", host: host, users: users)
        let restore = makeStep(
            .forwardRestore(ForwardRestoreParameters(forwardFile: forward, divertStep: StepReference(idPrefix: "pilot/divert", sameUser: false))),
            id: "pilot/restore", host: host, users: users)
        return (divert, restore)
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    static func roundTrip(dir: TemporaryDirectory, host: HostEndpoint, transport: any CommandTransport) async throws {
        let users = ["alice", "bob", "carol"]
        let forward = try homes(dir, users)
        let path: @Sendable (String) -> String = { u in StepParameters.expand(forward, ["user": u]) }
        let aliceBefore = Data("alice@elsewhere.example\n\"|/usr/bin/vacation alice\"\n".utf8)
        try aliceBefore.write(to: URL(fileURLWithPath: path("alice")))
        try Data("carol\n".utf8).write(to: URL(fileURLWithPath: path("carol")))
        // carol's saved-mail file already holds mail; the others' do not exist.
        let saved: @Sendable (String) -> String = { u in StepParameters.expand(savedPath(forward: forward), ["user": u]) }
        let carolSaved = Data("From x@example.org Mon Jan  1 00:00:00 2024\nSubject: kept\n\nkept\n".utf8)
        try FileManager.default.createDirectory(atPath: dir.file("saved"), withIntermediateDirectories: true)
        try carolSaved.write(to: URL(fileURLWithPath: saved("carol")))
        let (divert, restore) = steps(forward: forward, host: host, users: users)
        // On an ssh host the agent does the file work: the built mailshift stands in for it there.
        let agent = BuiltMailshift.path ?? "mailshift"
        let divertRunner = ForwardDivertRunner(transport: transport, owner: .unchanged, agentExecutable: agent)
        let restoreRunner = ForwardRestoreRunner(transport: transport, owner: .unchanged, agentExecutable: agent)

        let preview = try await divertRunner.inspect(divert, context: StepContext(dryRun: true))
        #expect(preview.state == .pending)
        #expect(preview.changes.count == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("alice"))) == aliceBefore)

        // The previous contents are journaled before anything is written.
        let checkpoints = CheckpointLog()
        let context = StepContext(dryRun: false, checkpoint: { outputs in
            #expect((try? Data(contentsOf: URL(fileURLWithPath: path("alice")))) == aliceBefore)
            await checkpoints.add(outputs)
        })
        let outputs = try await divertRunner.apply(divert, context: context)
        let recorded = await checkpoints.records
        #expect(recorded.count == 1)
        #expect(recorded.first?["previous.alice"] == "base64:" + aliceBefore.base64EncodedString())
        #expect(recorded.first?["previous.bob"] == "absent")
        #expect(outputs["changed"] == "3")
        // sendmail can append to each saved-mail file: created empty and 0600, or left as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: saved("carol"))) == carolSaved)
        for u in ["alice", "bob"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: saved(u))).isEmpty)
            #expect(try mode(saved(u)) == 0o600)
        }
        for u in users {
            #expect(try String(contentsOfFile: path(u), encoding: .utf8) == "\"\(saved(u))\"\n\\\(u)\n")
            #expect(try mode(path(u)) == 0o600)
            // No temporary file left; a previous .forward is also kept beside it until the restore.
            let kept = u == "bob" ? [".forward"] : [".forward", ".forward.mailshift-orig"]
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("home/\(u)")).sorted() == kept)
        }
        #expect(try await divertRunner.inspect(divert, context: StepContext(dryRun: true)).state == .done)

        // A resumed divert keeps the first record, not its own diversion.
        let again = try await divertRunner.apply(divert, context: StepContext(dryRun: false, previousOutputs: outputs))
        #expect(again["previous.alice"] == outputs["previous.alice"])
        #expect(again["changed"] == "0")

        let restoreContext = StepContext(dryRun: false, outputs: { $0 == "pilot/divert" ? again : nil })
        let pending = try await restoreRunner.inspect(restore, context: restoreContext)
        #expect(pending.state == .pending)
        #expect(pending.changes.count == 3)
        let restored = try await restoreRunner.apply(restore, context: restoreContext)
        #expect(restored["restored.alice"] == "written")
        #expect(restored["restored.bob"] == "removed")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("alice"))) == aliceBefore)
        #expect(try String(contentsOfFile: path("carol"), encoding: .utf8) == "carol\n")
        #expect(!FileManager.default.fileExists(atPath: path("bob")))
        for u in users {
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("home/\(u)")) == (u == "bob" ? [] : [".forward"]))
        }
        #expect(try await restoreRunner.inspect(restore, context: restoreContext).state == .done)
        let twice = try await restoreRunner.apply(restore, context: restoreContext)
        #expect(users.allSatisfy { twice["restored.\($0)"] == "unchanged" })
    }

    @Test func divertsAndRestoresLocally() async throws {
        let dir = try TemporaryDirectory(prefix: "fwd")
        defer { dir.remove() }
        try await Self.roundTrip(dir: dir, host: localHost, transport: HostTransport())
    }

    @Test func divertsAndRestoresOverSSH() async throws {
        try await SSHDFixture.with { sshd in
            let transport = SSHTransport(.init(configFile: sshd.clientConfig))
            do {
                try await Self.roundTrip(dir: sshd.directory, host: sshd.endpoint, transport: transport)
            } catch {
                await transport.close()
                throw error
            }
            await transport.close()
        }
    }

    @Test func ownsTheFileAsTheMailUser() async throws {
        guard getuid() == 0, let pw = getpwnam("daemon") else { return }
        let uid = pw.pointee.pw_uid
        try await SSHDFixture.with { sshd in
            let transport = HostTransport(ssh: SSHTransport(.init(configFile: sshd.clientConfig)))
            for host in [localHost, sshd.endpoint] {
                let dir = try TemporaryDirectory(prefix: "fwd-own")
                defer { dir.remove() }
                let forward = try Self.homes(dir, ["daemon"])
                let step = Self.steps(forward: forward, host: host, users: ["daemon"]).divert
                _ = try await ForwardDivertRunner(transport: transport, owner: .mailUser, agentExecutable: BuiltMailshift.path ?? "mailshift")
                    .apply(step, context: StepContext(dryRun: false))
                let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("home/daemon/.forward"))
                #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == uid)
                #expect(attributes[.posixPermissions] as? Int == 0o600)
                // The saved-mail file (and its missing directory) made for sendmail to append as daemon.
                let saved = try FileManager.default.attributesOfItem(atPath: dir.file("saved/daemon"))
                #expect((saved[.ownerAccountID] as? NSNumber)?.uint32Value == uid)
                #expect(saved[.posixPermissions] as? Int == 0o600)
            }
            await transport.close()
        }
    }

    @Test func refusesUnsafeNamesAndPaths() async throws {
        let dir = try TemporaryDirectory(prefix: "fwd-bad")
        defer { dir.remove() }
        let forward = try Self.homes(dir, ["alice"])
        let runner = ForwardDivertRunner(transport: LocalTransport(), owner: .unchanged)
        for user in ["../alice", "al\nice", "-x", "a b", "$(id)", ".."] {
            let step = Self.steps(forward: forward, host: localHost, users: ["alice", user]).divert
            await #expect(throws: StepRefusal.self) { _ = try await runner.apply(step, context: StepContext(dryRun: false)) }
        }
        let traversal = Self.steps(forward: dir.file("home/../../etc/{user}.forward"), host: localHost, users: ["alice"]).divert
        await #expect(throws: StepRefusal.self) { _ = try await runner.apply(traversal, context: StepContext(dryRun: false)) }
        // Nothing was written for the valid user either: validation comes first.
        #expect(!FileManager.default.fileExists(atPath: dir.file("home/alice/.forward")))
    }

    @Test func doesNotFollowASymlinkedForward() async throws {
        let dir = try TemporaryDirectory(prefix: "fwd-link")
        defer { dir.remove() }
        let forward = try Self.homes(dir, ["alice"])
        try "secret\n".write(toFile: dir.file("shadow"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.file("home/alice/.forward"), withDestinationPath: dir.file("shadow"))
        let step = Self.steps(forward: forward, host: localHost, users: ["alice"]).divert
        let log = CheckpointLog()
        let failure = try await #require(throws: UsersSetAside.self) {
            _ = try await ForwardDivertRunner(transport: LocalTransport(), owner: .unchanged).apply(step, context: log.context())
        }
        #expect(failure.users == ["alice"])
        // Nothing read through the link was recorded.
        #expect(await log.records.allSatisfy { $0["previous.alice"] == nil && !$0.values.values.contains { $0.contains("secret") } })
        #expect(try String(contentsOfFile: dir.file("shadow"), encoding: .utf8) == "secret\n")
    }
}
