import Foundation
@testable import PlanCompiler
import Steps
import Testing

/// `source.if_ambiguous` reaches each import step, only where detection runs (`format: auto`).
@Suite struct AmbiguousFormatTests {
    @Test(arguments: [
        ("  format: auto\n  if_ambiguous: mboxrd\n", "mboxrd" as String?),
        ("  format: auto\n", nil),
        ("  format: auto\n  if_ambiguous: refuse\n", nil),
        ("  format: mboxo\n  if_ambiguous: mboxrd\n", nil),
    ])
    func importStepsCarryThePlansReading(_ lines: String, _ expected: String?) throws {
        let path = TestPaths.plans.appendingPathComponent("forward.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "  format: mboxcl2\n", with: lines)
        #expect(edited != text)
        let graph = try #require(Compiler.compile(text: Array(edited.utf8), path: path).graph)
        let imports = (0..<graph.stepCount).map { graph.step($0) }.filter { $0.kind == .mailboxImport }
        #expect(!imports.isEmpty)
        for step in imports {
            #expect(try step.parameters(MailboxImportParameters.self).ifAmbiguous == expected, "\(step.id)")
        }
    }

    @Test func anUnknownReadingIsAnErrorWithTheChoices() throws {
        let path = TestPaths.plans.appendingPathComponent("forward.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "  format: mboxcl2\n", with: "  format: auto\n  if_ambiguous: guess\n")
        let result = Compiler.compile(text: Array(edited.utf8), path: path)
        #expect(result.graph == nil)
        let message = result.diagnostics.items.map { "\($0.message) \($0.hint ?? "")" }.joined(separator: "\n")
        #expect(message.contains("if_ambiguous") && message.contains("mboxrd"), "\(message)")
    }
}
