import Diagnostics
import Foundation
import PlanCompiler
import Testing

/// Golden files: each `Fixtures/name.yaml` is an invalid plan and `name.expected` holds the exact
/// diagnostics `mailshift check` prints for it; a `warn-` fixture is a plan that compiles with a
/// warning. `MAILSHIFT_UPDATE_GOLDEN=1 swift test --filter FixtureTests` rewrites them (review
/// every change by eye before committing).
@Suite struct FixtureTests {
    static let names = TestPaths.yamlFiles(in: TestPaths.fixtures).map { String($0.dropLast(5)) }

    static func rendered(_ name: String) -> String {
        let path = TestPaths.fixtures.appendingPathComponent(name + ".yaml").path
        let result = Compiler.compile(planAt: path)
        let text = DiagnosticRenderer(sources: result.sources).render(result.diagnostics.sorted)
        // Fixture paths print relative to the fixtures directory so the files are portable.
        return text.replacingOccurrences(of: TestPaths.fixtures.path + "/", with: "")
    }

    @Test func thereAreAtLeastFortyFixtures() {
        #expect(Self.names.count >= 40)
    }

    @Test(arguments: names) func diagnosticsMatchGoldenFile(_ name: String) throws {
        let actual = Self.rendered(name)
        let expectedURL = TestPaths.fixtures.appendingPathComponent(name + ".expected")
        if ProcessInfo.processInfo.environment["MAILSHIFT_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "\(name): rerun with MAILSHIFT_UPDATE_GOLDEN=1 to see the difference in git diff")
        let result = Compiler.compile(planAt: TestPaths.fixtures.appendingPathComponent(name + ".yaml").path)
        if name.hasPrefix("warn-") {
            // A warning never stops a plan: it compiles, and says why it might not do what was meant.
            #expect(result.graph != nil)
            #expect(!result.diagnostics.hasErrors)
            #expect(result.diagnostics.items.contains { $0.severity == .warning })
        } else {
            // Every other fixture is invalid: it must produce at least one error and no graph.
            #expect(result.graph == nil)
            #expect(result.diagnostics.hasErrors)
        }
    }
}

/// A literal password is refused, and never printed: not in the message, not in the excerpt.
@Suite struct SecretRedactionTests {
    @Test func theExcerptMasksTheLiteralPassword() throws {
        let text = FixtureTests.rendered("decode-literal-password")
        #expect(!text.contains("hunter2"))
        #expect(text.contains("password: *******"))
        let many = FixtureTests.rendered("check-many-errors")
        #expect(!many.contains("s3cret"))
    }
}
