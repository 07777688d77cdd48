import Foundation
import Lab
import LDAPDriver
import MailshiftTestSupport
import Steps
import Testing

@Suite struct LDAPSetRunnerTests {
    let runner = LDAPSetRunner(connections: 2)

    @Test func setThenSetAgainWritesNothing() async throws {
        let slapd = try SlapdFixture(userCount: 5)
        defer { slapd.stop() }
        let users = (1...5).map { "user\($0)" }
        let step = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: users)
        let recorder = RecordingContext()
        let context = recorder.context(directory: slapd.endpoint())

        let before = try await runner.inspect(step, context: context)
        #expect(before.state == .pending)
        #expect(before.changes.count == 5)
        #expect(before.changes.first?.line == "~ uid=user1,ou=People,dc=example,dc=edu: mailHost: oldmail.example.edu → store1.example.edu")

        let outputs = try await runner.apply(step, context: context)
        #expect(outputs[LDAPSetOutputs.written] == "5")
        #expect(outputs["prev.user3.mailHost"] == #"["oldmail.example.edu"]"#)
        #expect(outputs["set.user3.mailHost"] == #"["store1.example.edu"]"#)
        #expect(outputs["dn.user3"] == "uid=user3,ou=People,dc=example,dc=edu")
        #expect(recorder.lastCheckpoint?["prev.user3.mailHost"] == #"["oldmail.example.edu"]"#)
        #expect(try slapd.values("user4", "mailHost") == ["store1.example.edu"])
        #expect(try await runner.inspect(step, context: context).state == .done)

        let csn = try slapd.changeSequence("user2")
        let modifies = slapd.slapd.modifyCount()
        let again = try await runner.apply(step, context: recorder.context(directory: slapd.endpoint(), previous: outputs))
        #expect(again[LDAPSetOutputs.written] == "0")
        #expect(again["prev.user3.mailHost"] == #"["oldmail.example.edu"]"#, "the first previous value is kept")
        #expect(try slapd.changeSequence("user2") == csn)
        #expect(slapd.slapd.modifyCount() == modifies)
    }

    @Test func dryRunWritesNothing() async throws {
        let slapd = try SlapdFixture(userCount: 3)
        defer { slapd.stop() }
        let step = LDAPStepFactory.set(["mailDeliveryOption=hold"], users: ["user1", "user2", "user3"])
        let context = RecordingContext().context(directory: slapd.endpoint(), dryRun: true)
        let csn = try slapd.changeSequence("user1")

        let inspection = try await runner.inspect(step, context: context)
        #expect(inspection.changes.map(\.line).contains("~ uid=user2,ou=People,dc=example,dc=edu: mailDeliveryOption: mailbox → hold"))
        await #expect(throws: LDAPFailure.self) { try await runner.apply(step, context: context) }
        #expect(try slapd.changeSequence("user1") == csn)
        #expect(try slapd.values("user2", "mailDeliveryOption") == ["mailbox"])
        #expect(slapd.slapd.modifyCount() == 0)
    }

    @Test func addsMissingObjectClassWithTheAttribute() async throws {
        let slapd = try SlapdFixture(users: [.person("carol")])
        defer { slapd.stop() }
        let step = LDAPStepFactory.set(["mailDeliveryOption=hold"], users: ["carol"], objectClasses: ["mailRecipient"])
        let context = RecordingContext().context(directory: slapd.endpoint())
        let inspection = try await runner.inspect(step, context: context)
        #expect(inspection.changes.map(\.line) == [
            "+ uid=carol,ou=People,dc=example,dc=edu: objectClass: mailRecipient",
            "~ uid=carol,ou=People,dc=example,dc=edu: mailDeliveryOption: (absent) → hold",
        ])
        let outputs = try await runner.apply(step, context: context)
        #expect(outputs["prev.carol.mailDeliveryOption"] == LDAPSetOutputs.absent)
        #expect(outputs["oc.carol"] == #"["mailRecipient"]"#)
        #expect(try slapd.values("carol", "objectClass").contains("mailRecipient"))
        #expect(try slapd.values("carol", "mailDeliveryOption") == ["hold"])
    }

    @Test func valuesMayNameTheUser() async throws {
        let slapd = try SlapdFixture(userCount: 2)
        defer { slapd.stop() }
        let step = LDAPStepFactory.set(["mailRoutingAddress={user}@store1.example.edu"], users: ["user1", "user2"])
        let outputs = try await runner.apply(step, context: RecordingContext().context(directory: slapd.endpoint()))
        #expect(outputs["set.user2.mailRoutingAddress"] == #"["user2@store1.example.edu"]"#)
        #expect(outputs["prev.user2.mailRoutingAddress"] == LDAPSetOutputs.absent)
        #expect(try slapd.values("user1", "mailRoutingAddress") == ["user1@store1.example.edu"])
    }

    /// A user with no entry is set aside; every other user's entry is written.
    @Test func aMissingEntrySetsItsUserAsideAndTheOthersAreWritten() async throws {
        let slapd = try SlapdFixture(userCount: 2)
        defer { slapd.stop() }
        let step = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1", "ghost", "user2"])
        let recorder = RecordingContext()
        let context = recorder.context(directory: slapd.endpoint())
        let preview = try await runner.inspect(step, context: context)
        #expect(preview.state == .unknown && preview.changes.count == 2)
        #expect(preview.reason?.contains("ghost (") == true)
        let failure = try await #require(throws: UsersSetAside.self) { try await runner.apply(step, context: context) }
        #expect(failure.users == ["ghost"] && failure.disposition == .permanent)
        #expect(failure.summary.contains("no entry matches the user filter"))
        #expect(try slapd.values("user1", "mailHost") == ["store1.example.edu"])
        #expect(try slapd.values("user2", "mailHost") == ["store1.example.edu"])
        #expect(recorder.lastCheckpoint.map { LDAPSetOutputs.decode($0["prev.user1.mailHost"] ?? "") } == ["oldmail.example.edu"], "rollback data is durable")
    }

    @Test func ambiguousFilterIsPermanent() async throws {
        let slapd = try SlapdFixture(userCount: 3)
        defer { slapd.stop() }
        var endpoint = slapd.endpoint()
        endpoint.userFilter = "(|(uid={user})(mailHost=oldmail.example.edu))"
        let step = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1"])
        let failure = try await #require(throws: UsersSetAside.self) {
            try await runner.apply(step, context: RecordingContext().context(directory: endpoint))
        }
        #expect(failure.users == ["user1"])
        #expect(failure.summary.contains("3 entries match the user filter"))
        for n in 1...3 { #expect(try slapd.values("user\(n)", "mailHost") == ["oldmail.example.edu"]) }
    }

    @Test func batchedLookupKeepsPerUserMeaning() async throws {
        var twinA = DirectoryUser.mailUser("twin-a")
        twinA.attributes["uid"] = ["twin"]
        var twinB = DirectoryUser.mailUser("twin-b")
        twinB.attributes["uid"] = ["twin"]
        let slapd = try SlapdFixture(users: [.mailUser("user1"), .mailUser("user2"), twinA, twinB])
        defer { slapd.stop() }
        let context = RecordingContext().context(directory: slapd.endpoint())
        let found = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1", "USER2", "twin-a"])
        #expect(try await runner.inspect(found, context: context).changes.count == 3)
        let step = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1", "twin", "user2"])
        let inspection = try await runner.inspect(step, context: context)
        #expect(inspection.state == .unknown && inspection.changes.count == 2)
        #expect(inspection.reason?.contains("1 user would be set aside") == true)
        #expect(inspection.reason?.contains("twin (") == true && inspection.reason?.contains("2 entries match") == true)
    }

    @Test func bindWithoutWriteAccessIsDenied() async throws {
        let slapd = try SlapdFixture(userCount: 2)
        defer { slapd.stop() }
        let step = LDAPStepFactory.set(["mailUserStatus=inactive"], users: ["user1", "user2"])
        let context = RecordingContext().context(directory: slapd.endpoint(.reader))
        #expect(try await runner.inspect(step, context: context).state == .pending, "the reader may read")
        let failure = try await #require(throws: UsersSetAside.self) { try await runner.apply(step, context: context) }
        #expect(failure.users == ["user1", "user2"] && failure.disposition == .permanent)
        #expect(failure.summary.contains("uid=user1,ou=People,dc=example,dc=edu): insufficientAccessRights"))
        #expect(failure.hint?.contains("write access") == true)
        #expect(try slapd.values("user1", "mailUserStatus") == ["active"])
    }

    @Test func schemaViolationsArePermanentAndNameTheEntry() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        let context = RecordingContext().context(directory: slapd.endpoint())
        let twoHosts = LDAPStepFactory.set(["mailHost=a.example.edu", "mailHost=b.example.edu"], users: ["user1"])
        let constraint = try await #require(throws: UsersSetAside.self) { try await runner.apply(twoHosts, context: context) }
        #expect(constraint.users == ["user1"] && constraint.disposition == .permanent)
        #expect(constraint.summary.contains("constraintViolation") && constraint.summary.contains("uid=user1,ou=People,dc=example,dc=edu"))
        let notIA5 = LDAPStepFactory.set(["mailHost=hôte.example.edu"], users: ["user1"])
        let syntax = try await #require(throws: UsersSetAside.self) { try await runner.apply(notIA5, context: context) }
        #expect(syntax.users == ["user1"] && syntax.summary.contains("invalidAttributeSyntax"))
        #expect(try slapd.values("user1", "mailHost") == ["oldmail.example.edu"])
    }

    @Test func oneBadEntryDoesNotStopTheOthers() async throws {
        let slapd = try SlapdFixture(users: [.mailUser("user1"), .mailUser("josé"), .mailUser("user2")])
        defer { slapd.stop() }
        let step = LDAPStepFactory.set(["mailRoutingAddress={user}@store1.example.edu"], users: ["user1", "josé", "user2"])
        let failure = try await #require(throws: UsersSetAside.self) {
            try await LDAPSetRunner(connections: 1).apply(step, context: RecordingContext().context(directory: slapd.endpoint()))
        }
        #expect(failure.users == ["josé"] && failure.summary.contains("invalidAttributeSyntax"))
        #expect(try slapd.values("user1", "mailRoutingAddress") == ["user1@store1.example.edu"])
        #expect(try slapd.values("user2", "mailRoutingAddress") == ["user2@store1.example.edu"])
    }

    @Test func injectedUserNameDoesNotWidenTheSearch() async throws {
        let slapd = try SlapdFixture(userCount: 3)
        defer { slapd.stop() }
        let step = LDAPStepFactory.set(["mailHost=evil.example.edu"], users: ["a*)(uid=*"])
        let context = RecordingContext().context(directory: slapd.endpoint())
        let failure = try await #require(throws: UsersSetAside.self) { try await runner.apply(step, context: context) }
        #expect(failure.users == ["a*)(uid=*"] && failure.summary.contains("no entry matches"))
        for n in 1...3 { #expect(try slapd.values("user\(n)", "mailHost") == ["oldmail.example.edu"]) }
        #expect(LDAPFilter.filter(template: "(uid={user})", user: "a*)(uid=*") == #"(uid=a\2a\29\28uid=\2a)"#)
    }

    /// The secret comes from a private file, not `setenv`: changing this process's environment
    /// while other tests spawn children races glibc's `execve` reading `environ` (CI saw a spawn
    /// fail with EFAULT). How an `env:` secret is read is checked in `SecretFileTests`.
    @Test func theBindPasswordNeverShows() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        let file = slapd.temp.file("bind.secret")
        func store(_ password: String) throws {
            try (password + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            chmod(file, 0o600)
        }
        try store(slapd.layout.servicePassword)
        var endpoint = slapd.endpoint()
        endpoint.password = .file(file)
        let step = LDAPStepFactory.set(["mailHost=x.example.edu"], users: ["user1"])
        let recorder = RecordingContext()
        let outputs = try await runner.apply(step, context: recorder.context(directory: endpoint))
        #expect(!outputs.values.values.contains { $0.contains(slapd.layout.servicePassword) })
        #expect(!recorder.log.joined().contains(slapd.layout.servicePassword))

        let wrong = "not-the-\(slapd.layout.servicePassword)"
        try store(wrong)
        let failure = try await #require(throws: LDAPFailure.self) {
            try await runner.inspect(step, context: recorder.context(directory: endpoint))
        }
        #expect(failure.code == .invalidCredentials)
        #expect(failure.disposition == .permanent)
        #expect(!failure.summary.contains(wrong) && !(failure.hint ?? "").contains(wrong))
    }

    @Test func wrongPasswordIsPermanent() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        var endpoint = slapd.endpoint()
        endpoint.password = .environment("MAILSHIFT_TEST_UNSET_\(UInt32.random(in: 0...UInt32.max))")
        let step = LDAPStepFactory.set(["mailHost=x.example.edu"], users: ["user1"])
        let failure = try await #require(throws: LDAPFailure.self) {
            try await runner.inspect(step, context: RecordingContext().context(directory: endpoint))
        }
        #expect(failure.reason == .configuration)
        #expect(!failure.summary.contains(slapd.layout.servicePassword))
    }
}
