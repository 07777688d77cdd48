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

        #expect(try slapd.values("newbie", "description") == [LDAPCreateRunner.marker(token: try #require(outputs["ldap.create-token"]))])
        // Without this step's token, an existing entry is not claimed (the crash case is below).
        let resumed = try await runner.apply(step, context: recorder.context(directory: endpoint, previous: ["creating.newbie": "uid=newbie,ou=People,dc=example,dc=edu"]))
        #expect(resumed["created.newbie"] == nil, "another token: not this step's entry")

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

    /// Checkpoints that become durable up to a count; the next one is the crash (the process dies
    /// before the journal has it), so what a resume sees is the last durable one.
    final class CrashAfterCheckpoints: @unchecked Sendable {
        struct Crash: Error {}
        private let lock = NSLock()
        private var durable: [StepOutputs] = []
        let survive: Int

        init(survive: Int) { self.survive = survive }

        var journaled: StepOutputs? { lock.withLock { durable.last } }

        func context(directory: DirectoryEndpoint) -> StepContext {
            StepContext(dryRun: false, directory: directory, checkpoint: { [self] outputs in
                try lock.withLock {
                    guard durable.count < survive else { throw Crash() }
                    durable.append(outputs)
                }
            })
        }
    }

    @Test func aResumeAfterACrashBetweenAddAndCheckpointRecordsWhatItAddedAndNothingElse() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        let endpoint = slapd.endpoint()
        let runner = LDAPCreateRunner()
        let dn = { (user: String) in "uid=\(user),ou=People,dc=example,dc=edu" }

        // The first attempt checkpoints what it is about to add, adds it, and dies before its
        // second checkpoint: the journal holds `creating.` but no `created.`.
        let crashed = CrashAfterCheckpoints(survive: 1)
        await #expect(throws: CrashAfterCheckpoints.Crash.self) {
            _ = try await runner.apply(Self.step(users: ["user1", "newbie"]), context: crashed.context(directory: endpoint))
        }
        let journaled = try #require(crashed.journaled)
        #expect(journaled["creating.newbie"] == dn("newbie"))
        #expect(journaled["created.newbie"] == nil)
        let token = try #require(journaled["ldap.create-token"])
        #expect(token.count == 32)
        #expect(try slapd.values("newbie", "description") == [LDAPCreateRunner.marker(token: token)], "the add landed, with the marker")

        // Meanwhile someone else adds "racer" (checkpointed by this step, never added by it), and
        // "copycat" with a marker of another token.
        try slapd.add(.mailUser("racer"))
        try slapd.add(.mailUser("copycat"))
        try slapd.replace("copycat", "description", LDAPCreateRunner.marker(token: String(repeating: "0", count: 32)))
        var previous = journaled
        previous["creating.racer"] = dn("racer")
        previous["creating.copycat"] = dn("copycat")

        let recorder = RecordingContext()
        let resumed = try await runner.apply(
            Self.step(users: ["user1", "newbie", "racer", "copycat"]), context: recorder.context(directory: endpoint, previous: previous))
        #expect(LDAPCreateRunner.created(in: resumed).map(\.user) == ["newbie"], "\(resumed.values)")
        #expect(resumed["ldap.create-token"] == token, "the token is kept across attempts")

        // So the rollback deletes the entry the crashed attempt added, and no other.
        #expect(try await LDAPCreatedEntries(endpoint: endpoint, steps: [resumed]).delete() == 1)
        #expect(throws: (any Error).self) { _ = try slapd.values("newbie", "cn") }
        #expect(try slapd.values("racer", "cn") == ["racer"])
        #expect(try slapd.values("copycat", "cn") == ["copycat"])
        #expect(try slapd.values("user1", "cn") == ["user1"])
    }

    @Test func aRowWithoutAValueTheTemplateNeedsIsNotCreatable() {
        // `ou={dept}` needs a value; `{cn}` as a whole value may be empty (no value then).
        let p = LDAPCreateParameters(
            dn: "uid={user},ou={dept},dc=example,dc=edu", attributes: ["objectClass=inetOrgPerson", "cn={cn}", "sn=x"],
            from: "people.ldif", rows: ["full/dept=Sales", "full/cn=Full", "nodept/cn=No Dept", "emptydept/dept=", "nocn/dept=IT"])
        #expect(LDAPCreateRunner.creatable(["full", "nodept", "emptydept", "nocn"], p) == ["full", "nocn"])
        #expect(LDAPCreateRunner.dns(["full", "nodept"], p) == ["full": "uid=full,ou=Sales,dc=example,dc=edu"])
    }

    @Test func valuesComeFromTheUsersRowsAndAUserWithoutARowIsSetAside() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        let endpoint = slapd.endpoint()
        let p = LDAPCreateParameters(
            dn: "uid={user},ou=People,dc=example,dc=edu",
            attributes: ["objectClass=inetOrgPerson", "uid={user}", "cn={CN}", "sn={sn}", "mail={mail}", "description=HR id {id}"],
            from: "people.csv",
            rows: ["newbie/cn=Nina Ewbie, PhD", "newbie/sn=Ewbie", "newbie/mail=nina@example.edu", "newbie/mail=n.ewbie@example.edu", "newbie/id=42"])
        let step = StepInstance(
            index: 0, id: "pilot/create-entries", action: .ldapCreate(p), template: 0, batch: "pilot", user: nil,
            users: ["user1", "newbie", "norow"], host: nil, fingerprint: Fingerprint(fields: ["rows"]), label: nil, reversible: true)
        let recorder = RecordingContext()

        // The preview shows the entry as it will be created, and the user it cannot create.
        let preview = try await LDAPCreateRunner().inspect(step, context: recorder.context(directory: endpoint, dryRun: true))
        #expect(preview.changes.map(\.line) == [
            "+ uid=newbie,ou=People,dc=example,dc=edu: create entry (objectClass: inetOrgPerson; uid: newbie; cn: Nina Ewbie, PhD; sn: Ewbie; mail: nina@example.edu, n.ewbie@example.edu; description: HR id 42)",
        ])
        #expect(preview.state == .unknown)
        #expect(LDAPCreateRunner.creatable(["user1", "newbie", "norow"], p) == ["newbie"], "preflight counts only these as to be created")

        await #expect {
            _ = try await LDAPCreateRunner().apply(step, context: recorder.context(directory: endpoint))
        } throws: { error in
            guard let aside = error as? UsersSetAside, aside.parts.map(\.user) == ["norow"] else { return false }
            return aside.parts[0].reason.contains("'people.csv' has no row for the user")
        }
        #expect(try slapd.values("newbie", "cn") == ["Nina Ewbie, PhD"])
        #expect(Set(try slapd.values("newbie", "mail")) == ["nina@example.edu", "n.ewbie@example.edu"])
        #expect(try slapd.values("newbie", "description").contains("HR id 42"))
        #expect(throws: (any Error).self) { _ = try slapd.values("norow", "cn") }
        #expect(recorder.lastCheckpoint?["created.newbie"] == "uid=newbie,ou=People,dc=example,dc=edu")
    }

    @Test func preflightCountsTheEntriesToBeCreated() async throws {
        let slapd = try SlapdFixture(userCount: 1)
        defer { slapd.stop() }
        let needs = ["user1": DirectoryPreflight.Need(), "newbie": DirectoryPreflight.Need()]
        let preflight = DirectoryPreflight(endpoint: slapd.endpoint())
        let entries = try #require(await preflight.check(needs, created: ["newbie": "uid=newbie,ou=People,dc=example,dc=edu"]).first { $0.check == "directory.entries" })
        #expect(entries.problems.isEmpty)
        #expect(entries.detail.contains("1 to be created (directory.create): uid=newbie,ou=People,dc=example,dc=edu"), "\(entries.detail)")
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
