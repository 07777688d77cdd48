import Foundation
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
}
