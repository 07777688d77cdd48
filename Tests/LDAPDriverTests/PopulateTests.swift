import Digest
import Foundation
import Lab
import LDAPDriver
import MailshiftTestSupport
import Steps
import Testing

/// `directory.create` (`ldap.create`): entries missing for a batch's users are created from the
/// plan's template, journaled, and a rollback deletes only those. Against a real slapd.
@Suite struct PopulateTests {
    static let template = LDAPCreateParameters(
        dn: "uid={user},ou=People,dc=example,dc=edu",
        attributes: [
            "objectClass=inetOrgPerson", "objectClass=inetLocalMailRecipient", "uid={user}", "cn={user}", "sn={user}",
            "mail={user}@example.edu", "mailHost=oldmail.example.edu",
        ])

    static func step(users: [String]) -> StepInstance {
        StepInstance(
            index: 0, id: "pilot/create-entries", action: .ldapCreate(template), template: 0, batch: "pilot", user: nil,
            users: ArraySlice(users), host: nil, fingerprint: Fingerprint(fields: users), label: nil, reversible: true)
    }

    @Test func createsOnlyTheMissingEntriesThenRollbackDeletesOnlyThose() async throws {
        let slapd = try SlapdFixture(userCount: 2)
        defer { slapd.stop() }
        let endpoint = slapd.endpoint()
        let runner = LDAPCreateRunner()
        let step = Self.step(users: ["user1", "newbie", "user2", "n.ew-2"])
        let recorder = RecordingContext()

        let preview = try await runner.inspect(step, context: recorder.context(directory: endpoint, dryRun: true))
        #expect(preview.state == .pending)
        #expect(preview.changes.map(\.line) == [
            "+ uid=newbie,ou=People,dc=example,dc=edu: create entry (objectClass: inetOrgPerson, inetLocalMailRecipient; uid: newbie; cn: newbie; sn: newbie; mail: newbie@example.edu; mailHost: oldmail.example.edu)",
            "+ uid=n.ew-2,ou=People,dc=example,dc=edu: create entry (objectClass: inetOrgPerson, inetLocalMailRecipient; uid: n.ew-2; cn: n.ew-2; sn: n.ew-2; mail: n.ew-2@example.edu; mailHost: oldmail.example.edu)",
        ])
        #expect(throws: (any Error).self) { _ = try slapd.values("newbie", "cn") }

        let csn = try slapd.changeSequence("user1")
        let outputs = try await runner.apply(step, context: recorder.context(directory: endpoint))
        #expect(LDAPCreateRunner.created(in: outputs).map(\.user) == ["n.ew-2", "newbie"])
        #expect(outputs["created.newbie"] == "uid=newbie,ou=People,dc=example,dc=edu")
        #expect(outputs["created.user1"] == nil)
        // Journaled before it acted: the checkpoint names what it was about to create.
        #expect(recorder.lastCheckpoint?["creating.newbie"] == "uid=newbie,ou=People,dc=example,dc=edu")
        #expect(try slapd.values("newbie", "mail") == ["newbie@example.edu"])
        #expect(try slapd.changeSequence("user1") == csn, "an existing entry was touched")
        #expect(try await runner.inspect(step, context: recorder.context(directory: endpoint)).state == .done)

        // A resumed attempt whose add had landed before the crash counts it as its own.
        let resumed = try await runner.apply(step, context: recorder.context(directory: endpoint, previous: ["creating.newbie": "uid=newbie,ou=People,dc=example,dc=edu"]))
        #expect(resumed["created.newbie"] == nil, "nothing is missing now, so nothing is created again")

        // The batch's directory steps then work on the created entries.
        let set = try await LDAPSetRunner().apply(
            LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1", "newbie"]), context: recorder.context(directory: endpoint))
        #expect(set[LDAPSetOutputs.written] == "2")

        // Someone else's entry, added meanwhile, is never deleted by the rollback.
        try slapd.add(.mailUser("later"))
        let created = LDAPCreatedEntries(endpoint: endpoint, steps: [outputs])
        #expect(created.lines == [
            "- uid=n.ew-2,ou=People,dc=example,dc=edu: delete the entry (mailshift created it)",
            "- uid=newbie,ou=People,dc=example,dc=edu: delete the entry (mailshift created it)",
        ])
        #expect(try await created.delete() == 2)
        #expect(throws: (any Error).self) { _ = try slapd.values("newbie", "cn") }
        #expect(try slapd.values("user1", "cn") == ["user1"])
        #expect(try slapd.values("later", "cn") == ["later"])
        // Repeating it is harmless: an entry already gone counts as deleted.
        #expect(try await created.delete() == 2)
    }

    @Test func preflightCountsTheEntriesToBeCreated() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        let needs = ["user1": DirectoryPreflight.Need(), "newbie": DirectoryPreflight.Need()]
        let preflight = DirectoryPreflight(endpoint: slapd.endpoint())
        let entries = try #require(await preflight.check(needs, created: ["newbie"]).first { $0.check == "directory.entries" })
        #expect(entries.problems.isEmpty)
        #expect(entries.detail.contains("1 to be created (directory.create): newbie"), "\(entries.detail)")
        let without = try #require(await preflight.check(needs).first { $0.check == "directory.entries" })
        #expect(without.problems.map(\.subject) == ["newbie"])
    }

    @Test func aTemplateTheServerRefusesSetsTheUserAside() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        var bad = Self.template
        bad.attributes = ["objectClass=inetOrgPerson", "uid={user}"]  // inetOrgPerson needs cn and sn
        let step = StepInstance(
            index: 0, id: "pilot/create-entries", action: .ldapCreate(bad), template: 0, batch: "pilot", user: nil,
            users: ["user1", "ghost"], host: nil, fingerprint: Fingerprint(fields: ["x"]), label: nil, reversible: true)
        await #expect {
            _ = try await LDAPCreateRunner().apply(step, context: RecordingContext().context(directory: slapd.endpoint()))
        } throws: { ($0 as? UsersSetAside)?.parts.map(\.user) == ["ghost"] }
    }

    @Test func aUserNameCannotAddADNComponent() {
        #expect(LDAPDistinguishedName.expand("uid={user},ou=People,dc=example,dc=edu", user: "a,ou=Admins+cn=x")
            == #"uid=a\,ou\=Admins\+cn\=x,ou=People,dc=example,dc=edu"#)
        #expect(LDAPDistinguishedName.escape("#lead trail ") == ##"\#lead trail\ "##)
        #expect(LDAPDistinguishedName.escape(" x#") == ##"\ x#"##)
        #expect(LDAPDistinguishedName.escape("q\"<>;\\") == #"q\"\<\>\;\\"#)
    }
}
