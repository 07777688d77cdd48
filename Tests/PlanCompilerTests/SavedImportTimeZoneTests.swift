import Foundation
@testable import PlanCompiler
import Steps
import Testing

/// `saved.import` reads From_ lines the legacy host's MTA wrote, so it must read them in the
/// plan's source time zone (not the zone of the host running mailshift).
@Suite struct SavedImportTimeZoneTests {
    @Test(arguments: [("  timezone: Asia/Tokyo\n", "Asia/Tokyo"), ("", "UTC")])
    func savedImportCarriesTheSourceZone(_ line: String, _ expected: String) throws {
        let path = TestPaths.plans.appendingPathComponent("forward.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "\nsource:\n", with: "\nsource:\n" + line)
        #expect(line.isEmpty || edited != text)
        let graph = try #require(Compiler.compile(text: Array(edited.utf8), path: path).graph)
        let saved = (0..<graph.stepCount).map { graph.step($0) }.filter { $0.kind == .savedImport }
        #expect(!saved.isEmpty)
        for step in saved {
            #expect(try step.parameters(SavedImportParameters.self).timezone == expected, "\(step.id)")
        }
    }
}
