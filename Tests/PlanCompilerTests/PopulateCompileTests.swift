import Foundation
import MailshiftTestSupport
@testable import PlanCompiler
import Steps
import Testing

/// `directory.create`: every batch starts with `<batch>/create-entries`, before its first
/// directory change; the template is checked.
@Suite struct PopulateCompileTests {
    static let path = TestPaths.plans.appendingPathComponent("proxy.yaml").path

    static func compile(_ create: String) throws -> CompilationResult {
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "  user_filter: \"(uid={user})\"\n", with: "  user_filter: \"(uid={user})\"\n" + create)
        return Compiler.compile(text: Array(text.utf8), path: path)
    }

    @Test func eachBatchCreatesItsMissingEntriesFirst() throws {
        let result = try Self.compile("""
              create:
                dn: "uid={user},ou=People,dc=example,dc=edu"
                attributes: { objectClass: [inetOrgPerson, mailRecipient], cn: "{user}", sn: "{user}" }

            """)
        let q = GraphQuery(try #require(result.graph, "\(result.diagnostics.items.map(\.message))"))
        for batch in ["pilot", "staff", "faculty"] {
            let step = try #require(q.step("\(batch)/create-entries"))
            #expect(step.kind == .ldapCreate)
            #expect(step.parameters.text("dn") == "uid={user},ou=People,dc=example,dc=edu")
            #expect(step.parameters.list("attributes") == ["objectClass=inetOrgPerson", "objectClass=mailRecipient", "cn={user}", "sn={user}"])
            #expect(q.dependsOn("\(batch)/set-mailhost", "\(batch)/create-entries"))
        }
        // After a batch's own approval gate, not before it.
        #expect(q.dependsOn("staff/create-entries", "staff/approve"))
    }

    @Test func theTemplateIsChecked() throws {
        let result = try Self.compile("""
              create:
                dn: "cn=everyone,ou=People,dc=example,dc=edu"
                attributes: { cn: "{usr}" }

            """)
        let codes = result.diagnostics.items.map(\.code.rawValue)
        #expect(codes.contains("compiler.create-dn"))
        #expect(codes.contains("compiler.create-objectclass"))
        #expect(result.diagnostics.items.contains { $0.code == "compiler.placeholder" && ($0.hint ?? "").contains("{user}") })
    }

    @Test func aPasswordIsNeverSetFromAPlan() throws {
        let result = try Self.compile("""
              create:
                dn: "uid={user},ou=People,dc=example,dc=edu"
                attributes: { objectClass: [top, inetOrgPerson], cn: "{user}", sn: "{user}", userPassword: "{user}1" }

            """)
        let secret = try #require(result.diagnostics.items.first { $0.code == "compiler.create-secret" })
        #expect(secret.message.contains("userPassword"))
        #expect(result.graph == nil)
    }

    @Test func theExamplePlanTakesValuesFromItsUsersFile() throws {
        let result = Compiler.compile(planAt: TestPaths.plans.appendingPathComponent("populate.yaml").path)
        let q = GraphQuery(try #require(result.graph, "\(result.diagnostics.items.map(\.message))"))
        let step = try #require(q.step("everyone/create-entries"))
        #expect(step.parameters.text("from") == "users/people.csv")
        let rows = step.parameters.list("rows") ?? []
        #expect(rows.contains("anna/cn=Anna Becker"))
        #expect(rows.contains("clara/cn=Clara Wolf, PhD"), "a quoted field keeps its comma")
        #expect(rows.contains("fritz/mail=fritz@physics.example.edu"))
        #expect(rows.count == 6 * 3)
    }

    /// A plan in a directory of its own, with `from` naming `file` holding `text`.
    static func compileWithRows(_ file: String, _ text: String, attributes: String = "{ objectClass: [inetOrgPerson], cn: \"{cn}\", sn: \"{sn}\" }")
        throws -> (CompilationResult, TemporaryDirectory)
    {
        let dir = try TemporaryDirectory(prefix: "create-from")
        try text.write(toFile: dir.file(file), atomically: false, encoding: .utf8)
        var plan = try String(contentsOfFile: path, encoding: .utf8)
        plan = plan.replacingOccurrences(of: "  user_filter: \"(uid={user})\"\n", with: """
              user_filter: "(uid={user})"
              create:
                dn: "uid={user},ou=People,dc=example,dc=edu"
                from: \(file)
                attributes: \(attributes)

            """)
        let planPath = dir.file("plan.yaml")
        return (Compiler.compile(text: Array(plan.utf8), path: planPath), dir)
    }

    @Test func aFaultyRowIsNamedByItsFileAndLineNotItsText() throws {
        let (result, dir) = try Self.compileWithRows("people.csv", "user,cn,sn\nalice,Alice,A\nbob,secret-ish,B,extra\n")
        defer { dir.remove() }
        let d = try #require(result.diagnostics.items.first { $0.code == "compiler.create-from" })
        #expect(d.range?.file == dir.file("people.csv"))
        #expect(d.range?.start.line == 3)
        #expect(d.message.contains("4 fields, the header has 3"))
        #expect(!d.message.contains("secret-ish"))
        #expect(result.graph == nil)
    }

    @Test func aPlaceholderMustBeAColumn() throws {
        let (result, dir) = try Self.compileWithRows("people.csv", "user,cn,sn\nalice,Alice,A\n", attributes: "{ objectClass: [inetOrgPerson], cn: \"{cn}\", ou: \"{dept}\" }")
        defer { dir.remove() }
        #expect(result.diagnostics.items.contains { $0.code == "compiler.placeholder" && $0.message.contains("dept") })
        #expect(!result.diagnostics.items.contains { $0.code == "compiler.placeholder" && $0.message.contains("'cn'") })
    }

    @Test func aFileWithoutAUserColumnOrNotAFileIsRefused() throws {
        let (noUser, dir) = try Self.compileWithRows("people.csv", "uid,cn\nalice,Alice\n")
        defer { dir.remove() }
        #expect(noUser.diagnostics.items.contains { $0.code == "compiler.create-from" && $0.message.contains("no 'user' column") })
        if case .failure(let p) = CreateRowsFile.load("/dev/null") { #expect(p == .file(.notRegular)) } else { Issue.record("/dev/null read as a users file") }
        if case .failure(let p) = CreateRowsFile.load(dir.file("absent.csv")) { #expect(p.description.contains("cannot read")) } else { Issue.record("absent file read") }
    }

    @Test func aLinkInPlaceOfTheFileIsNotFollowed() throws {
        let dir = try TemporaryDirectory(prefix: "create-link")
        defer { dir.remove() }
        try "user,cn\nalice,Alice\n".write(toFile: dir.file("real.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.file("people.csv"), withDestinationPath: dir.file("real.csv"))
        if case .failure(let p) = CreateRowsFile.load(dir.file("people.csv")) { #expect(p.description.contains("cannot read")) } else {
            Issue.record("a link was followed")
        }
    }

    @Test func anLDIFOfTooManyDistinctAttributesIsRefusedAndItsColumnsAreSorted() throws {
        let many = (0...256).map { "dn: x\nuid: u\($0)\na\($0): v\n" }.joined(separator: "\n")
        #expect(throws: CreateRowsFile.Problem.self) { try CreateRowsFile.parseLDIF(many) }
        let two = try CreateRowsFile.parseLDIF("uid: a\nzeta: 1\nalpha: 2\nmid: 3\n")
        #expect(two.columns == ["alpha", "mid", "uid", "zeta"])
    }

    @Test func ldifAsInput() throws {
        let ldif = """
            version: 1
            # people
            dn: uid=alice,ou=People,dc=example,dc=edu
            uid: alice
            cn: Alice
              Liddell
            sn: Liddell
            mail: alice@example.edu
            mail: a.liddell@example.edu

            dn: uid=bob,ou=People,dc=example,dc=edu
            uid: bob
            cn:: Qm9iIELDtnJr
            sn: Bork

            """
        let rows = try CreateRowsFile.parseLDIF(ldif)
        #expect(rows.rows["alice"]?.values["cn"] == ["Alice Liddell"])
        #expect(rows.rows["alice"]?.values["mail"] == ["alice@example.edu", "a.liddell@example.edu"])
        #expect(rows.rows["bob"]?.values["cn"] == ["Bob Börk"])
        #expect(rows.rows["bob"]?.line == 11)
        #expect(throws: CreateRowsFile.Problem.line(3, "not 'attribute: value'")) { try CreateRowsFile.parseLDIF("uid: a\ncn: A\nnonsense\n") }
        let (result, dir) = try Self.compileWithRows("people.ldif", ldif)
        defer { dir.remove() }
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics.items.map(\.message))")
    }

    @Test func csvQuotingAndDuplicates() throws {
        let rows = try CreateRowsFile.parseCSV("# HR export\r\nuser,cn\r\nalice,\"Alice \"\"Al\"\", Liddell\"\r\n\r\nbob,Bob\r\n")
        #expect(rows.rows["alice"]?.values["cn"] == ["Alice \"Al\", Liddell"])
        #expect(rows.rows["bob"]?.line == 5)
        #expect(rows.columns == ["cn"])
        // A value is one line: a quoted newline would become part of an LDAP value.
        #expect(throws: CreateRowsFile.Problem.line(2, "the 'cn' value holds control characters")) { try CreateRowsFile.parseCSV("user,cn\nbob,\"two\nlines\"\n") }
        #expect(throws: CreateRowsFile.Problem.self) { try CreateRowsFile.parseCSV("user,cn\nalice,A\nalice,B\n") }
        #expect(throws: CreateRowsFile.Problem.line(2, "a quoted field is never closed")) { try CreateRowsFile.parseCSV("user,cn\nalice,\"A\n") }
    }
}
