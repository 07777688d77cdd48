import Foundation
import Lab
import LDAPDriver
import MailshiftTestSupport
import PlanCompiler
import Steps
import Testing

/// `batches[].groups`: a batch's group entries (mailing lists) move with it. The proxy plan's
/// mailHost, hold and release steps set them too; they get no mailbox steps; a rollback puts
/// them back. Against a real slapd.
@Suite struct GroupMoveTests {
    static let plans = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("plans")
    static let groupBase = "ou=Groups,dc=example,dc=edu"

    /// plans/proxy.yaml with two groups in the staff batch, written next to a temporary copy.
    static func compile(in dir: TemporaryDirectory) throws -> StepGraph {
        var text = try String(contentsOfFile: plans.appendingPathComponent("proxy.yaml").path, encoding: .utf8)
        text = text.replacingOccurrences(of: "    users: [carol, dave, erin, frank]\n", with: "    users: [carol, dave, erin, frank]\n    groups_file: staff-groups.txt\n")
        text = text.replacingOccurrences(of: "  user_filter: \"(uid={user})\"\n", with: "  user_filter: \"(uid={user})\"\n  group_base: \(groupBase)\n")
        try "# the staff's lists\nstaff-list\nPhysics (Faculty) *\n".write(toFile: dir.file("staff-groups.txt"), atomically: true, encoding: .utf8)
        let path = dir.file("proxy.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = Compiler.compile(planAt: path)
        return try #require(result.graph, "\(result.diagnostics.items.map(\.message))")
    }

    static func groupLDIF(_ cn: String) -> String {
        """
        dn: cn=\(cn),\(groupBase)
        objectClass: groupOfNames
        objectClass: mailRecipient
        cn: \(cn)
        member: uid=carol,ou=People,dc=example,dc=edu
        mailHost: oldmail.example.edu
        mailDeliveryOption: members


        """
    }

    @Test func groupEntriesMoveWithTheirBatchAndRollBack() async throws {
        let dir = try TemporaryDirectory(prefix: "groups")
        defer { dir.remove() }
        let graph = try Self.compile(in: dir)
        let staff = try #require(graph.batches.firstIndex { $0.name == "staff" })
        let templates = graph.templates.indices.filter { graph.templates[$0].batch == staff }
        // Groups get no mailbox steps: every per-user step is for a user of the batch.
        let users = Set(graph.users[graph.batches[staff].users])
        for t in templates where graph.templates[t].fanout == .perUser {
            for i in graph.steps(ofTemplate: t) { #expect(users.contains(graph.step(i).user ?? ""), "\(graph.step(i).id)") }
        }
        // The mailHost, hold and release steps carry the groups; the graph lists them.
        let sets = templates.filter { graph.templates[$0].kind == .ldapSet }
        #expect(sets.map { graph.templates[$0].idPrefix } == ["staff/set-mailhost", "staff/set-hold", "staff/set-mailbox"])
        for t in sets {
            #expect(graph.templates[t].parameters.list("groups") == ["staff-list", "Physics (Faculty) *"])
            #expect(graph.templates[t].parameters.text("group_base") == Self.groupBase)
        }
        #expect(graph.templates.filter { $0.batch != staff && $0.kind == .ldapSet }.allSatisfy { $0.parameters.list("groups") == nil })

        let slapd = try SlapdFixture(users: graph.users.map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        try slapd.addLDIF("dn: \(Self.groupBase)\nobjectClass: organizationalUnit\nou: Groups\n\n" + Self.groupLDIF("staff-list"))
        // A name with filter metacharacters is escaped: it finds only its own entry.
        try slapd.addLDIF(Self.groupLDIF("Physics (Faculty) *") + Self.groupLDIF("Physics (Faculty) x"))
        let list = "cn=staff-list,\(Self.groupBase)"
        let physics = "cn=Physics (Faculty) *,\(Self.groupBase)"
        let endpoint = slapd.endpoint()
        let runner = LDAPSetRunner()
        var outputs: [StepOutputs] = []
        for t in sets {
            let step = graph.step(graph.steps(ofTemplate: t).lowerBound)
            let context = RecordingContext().context(directory: endpoint)
            let preview = try await runner.inspect(step, context: context)
            #expect(preview.changes.contains { $0.line.contains("cn=staff-list,\(Self.groupBase)") }, "\(preview.changes.map(\.line))")
            outputs.append(try await runner.apply(step, context: context))
            #expect(try await runner.inspect(step, context: context).state == .done)
            if graph.templates[t].idPrefix == "staff/set-hold" {
                #expect(try slapd.values(dn: list, "mailDeliveryOption") == ["hold"])
                #expect(try slapd.values(dn: physics, "mailDeliveryOption") == ["hold"])
            }
        }
        let store = "store1.example.edu"
        #expect(try slapd.values(dn: list, "mailHost") == [store])
        #expect(try slapd.values(dn: physics, "mailHost") == [store])
        #expect(try slapd.values(dn: list, "mailDeliveryOption") == ["mailbox"])
        #expect(try slapd.values(dn: "cn=Physics (Faculty) x,\(Self.groupBase)", "mailHost") == ["oldmail.example.edu"])
        #expect(outputs[0]["dn.group:staff-list"] == list)
        #expect(outputs[0]["prev.group:staff-list.mailHost"] == #"["oldmail.example.edu"]"#)

        let rollback = LDAPRollback(endpoint: endpoint)
        #expect(try await rollback.plan(steps: outputs).refusals.isEmpty)
        try await rollback.restore(steps: outputs)
        #expect(try slapd.values(dn: list, "mailHost") == ["oldmail.example.edu"])
        #expect(try slapd.values(dn: list, "mailDeliveryOption") == ["members"])
        #expect(try slapd.values(dn: physics, "mailDeliveryOption") == ["members"])
    }

    @Test func aMissingGroupIsSetAsideByName() async throws {
        let dir = try TemporaryDirectory(prefix: "groups")
        defer { dir.remove() }
        let graph = try Self.compile(in: dir)
        let slapd = try SlapdFixture(users: graph.users.map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        try slapd.addLDIF("dn: \(Self.groupBase)\nobjectClass: organizationalUnit\nou: Groups\n\n" + Self.groupLDIF("staff-list"))
        let t = try #require(graph.templates.firstIndex { $0.idPrefix == "staff/set-mailhost" })
        let step = graph.step(graph.steps(ofTemplate: t).lowerBound)
        await #expect {
            _ = try await LDAPSetRunner().apply(step, context: RecordingContext().context(directory: slapd.endpoint()))
        } throws: { error in
            guard let aside = error as? UsersSetAside else { return false }
            return aside.parts.map(\.user) == ["group:Physics (Faculty) *"]
        }
        // The group that exists, and the users, were moved all the same.
        #expect(try slapd.values(dn: "cn=staff-list,\(Self.groupBase)", "mailHost") == ["store1.example.edu"])
        #expect(try slapd.values("carol", "mailHost") == ["store1.example.edu"])
    }
}
