import Lab
import LDAPDriver
import MailshiftTestSupport
import Steps
import Testing

@Suite struct LDAPRollbackTests {
    let runner = LDAPSetRunner(connections: 1)

    private func applied(_ slapd: SlapdFixture) async throws -> StepOutputs {
        let users = [DirectoryUser.mailUser("alice"), DirectoryUser.mailUser("bob"), DirectoryUser.person("carol")].map(\.uid)
        let step = LDAPStepFactory.set(["mailDeliveryOption=hold"], users: users, objectClasses: ["mailRecipient"])
        return try await runner.apply(step, context: RecordingContext().context(directory: slapd.endpoint()))
    }

    @Test func previewThenRestore() async throws {
        let slapd = try SlapdFixture(users: [.mailUser("alice"), .mailUser("bob"), .person("carol")])
        defer { slapd.stop() }
        let outputs = try await applied(slapd)
        let rollback = LDAPRollback(endpoint: slapd.endpoint())

        let plan = try await rollback.plan(outputs)
        #expect(plan.refusals.isEmpty)
        #expect(plan.changes.map(\.line).contains("~ uid=alice,ou=People,dc=example,dc=edu: mailDeliveryOption: hold → mailbox"))
        #expect(plan.changes.map(\.line).contains("- uid=carol,ou=People,dc=example,dc=edu: objectClass: mailRecipient"))
        #expect(try slapd.values("alice", "mailDeliveryOption") == ["hold"], "a preview writes nothing")

        try await rollback.restore(outputs)
        #expect(try slapd.values("alice", "mailDeliveryOption") == ["mailbox"])
        #expect(try slapd.values("bob", "mailDeliveryOption") == ["mailbox"])
        #expect(try slapd.values("carol", "mailDeliveryOption") == [])
        #expect(!(try slapd.values("carol", "objectClass").contains("mailRecipient")))
        #expect(try await rollback.plan(outputs).entries.isEmpty, "a second rollback has nothing to do")
    }

    @Test func undoesSeveralStepsOfABatchNewestFirst() async throws {
        let slapd = try SlapdFixture(users: [.mailUser("alice"), .mailUser("bob")])
        defer { slapd.stop() }
        let context = RecordingContext().context(directory: slapd.endpoint())
        let users = ["alice", "bob"]
        let host = try await runner.apply(LDAPStepFactory.set(["mailHost=store1.example.edu"], users: users), context: context)
        let hold = try await runner.apply(LDAPStepFactory.set(["mailDeliveryOption=hold"], users: users), context: context)
        let release = try await runner.apply(LDAPStepFactory.set(["mailDeliveryOption=mailbox"], users: users), context: context)
        let rollback = LDAPRollback(endpoint: slapd.endpoint())

        let plan = try await rollback.plan(steps: [host, hold, release])
        #expect(plan.refusals.isEmpty)
        #expect(plan.changes.map(\.line) == [
            "~ uid=alice,ou=People,dc=example,dc=edu: mailHost: store1.example.edu → oldmail.example.edu",
            "~ uid=bob,ou=People,dc=example,dc=edu: mailHost: store1.example.edu → oldmail.example.edu",
        ])
        let partial = try await rollback.plan(steps: [hold])
        #expect(partial.entries.isEmpty && partial.refusals.isEmpty, "the hold step alone: already back at mailbox")

        try await rollback.restore(steps: [host, hold, release])
        #expect(try slapd.values("alice", "mailHost") == ["oldmail.example.edu"])
        #expect(try slapd.values("bob", "mailDeliveryOption") == ["mailbox"])
    }

    @Test func refusesAnEntryChangedSinceUnlessForced() async throws {
        let slapd = try SlapdFixture(users: [.mailUser("alice"), .mailUser("bob"), .person("carol")])
        defer { slapd.stop() }
        let outputs = try await applied(slapd)
        try slapd.replace("bob", "mailDeliveryOption", "forward")
        let rollback = LDAPRollback(endpoint: slapd.endpoint())

        let refusal = try await #require(throws: RollbackRefusal.self) { try await rollback.restore(outputs) }
        #expect(refusal.user == "bob")
        #expect(refusal.summary.contains("mailDeliveryOption is forward, mailshift wrote hold"))
        #expect(try slapd.values("alice", "mailDeliveryOption") == ["hold"], "nothing is written while one entry is refused")

        try await rollback.restore(outputs, force: true)
        #expect(try slapd.values("bob", "mailDeliveryOption") == ["mailbox"])
        #expect(try slapd.values("alice", "mailDeliveryOption") == ["mailbox"])
    }
}

@Suite struct LDAPSetOutputsTests {
    @Test func valuesRoundTripThroughTheFlatScheme() {
        let values = [#"a "quoted" \ value"#, "tab\tnew\nline", "\u{01}", "é"]
        let text = LDAPSetOutputs.encode(values)
        #expect(LDAPSetOutputs.decode(text) == values)
        #expect(LDAPSetOutputs.encode([]) == LDAPSetOutputs.absent)
        #expect(LDAPSetOutputs.decode(LDAPSetOutputs.absent) == [])
        let outputs: StepOutputs = ["dn.a.b": "uid=a.b", "prev.a.b.mailHost": #"["x"]"#, "set.a.b.mailHost": #"["y"]"#]
        let record = LDAPSetOutputs.record(of: "a.b", in: outputs)
        #expect(record?.attributes.map(\.name) == ["mailHost"])
        #expect(record?.attributes.first?.previous == ["x"])
        #expect(LDAPSetOutputs.users(in: outputs) == ["a.b"])
    }
}
