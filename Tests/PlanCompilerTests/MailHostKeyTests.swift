import Foundation
@testable import PlanCompiler
import Steps
import Testing

/// `mail_host`: the value written to mailHost, apart from the ssh `address`; `address` by default.
@Suite struct MailHostKeyTests {
    static let storeLines = "    address: mail.physics.example.edu\n    connect: local               # mailshift runs on the new store itself\n"

    func compileSimple(replacing lines: String) throws -> CompilationResult {
        let path = TestPaths.plans.appendingPathComponent("simple.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: Self.storeLines, with: lines)
        #expect(edited != text)
        return Compiler.compile(text: Array(edited.utf8), path: path)
    }

    @Test func mailHostIsWrittenInsteadOfTheSSHAddress() throws {
        let result = try compileSimple(replacing: "    address: 10.0.0.7\n    mail_host: mail.physics.example.edu\n    connect: ssh\n")
        let q = GraphQuery(try #require(result.graph))
        #expect(q.step("everyone/set-mailhost")?.parameters.list("set") == ["mailHost=mail.physics.example.edu"])
        #expect(q.graph.hosts["store"]?.address == "10.0.0.7")
    }

    @Test func withoutMailHostTheAddressIsWritten() throws {
        let result = try compileSimple(replacing: "    address: store.internal\n    connect: ssh\n")
        let q = GraphQuery(try #require(result.graph))
        #expect(q.step("everyone/set-mailhost")?.parameters.list("set") == ["mailHost=store.internal"])
    }

    @Test func aMisspeltMailHostKeySuggestsIt() throws {
        let result = try compileSimple(replacing: "    address: 10.0.0.7\n    mailhost: mail.physics.example.edu\n    connect: ssh\n")
        #expect(result.graph == nil)
        let text = result.diagnostics.items.map { "\($0.message) \($0.hint ?? "")" }.joined(separator: "\n")
        #expect(text.contains("did you mean 'mail_host'"), "\(text)")
    }
}
