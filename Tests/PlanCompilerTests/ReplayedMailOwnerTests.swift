import Foundation
@testable import PlanCompiler
import Steps
import Testing

/// Mail replayed into the store (`saved.import`, `hold.release`) must belong to the store's
/// owner like imported mail; without the `owner` parameter a root run writes it root:root.
@Suite struct ReplayedMailOwnerTests {
    static func steps(_ plan: String, replacing old: String, with new: String, kind: StepKind) throws -> [StepInstance] {
        let path = TestPaths.plans.appendingPathComponent(plan).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: old, with: new)
        #expect(edited != text)
        let compiled = Compiler.compile(text: Array(edited.utf8), path: path)
        let graph = try #require(compiled.graph, "\(compiled.diagnostics.items.map(\.message))")
        return (0..<graph.stepCount).map { graph.step($0) }.filter { $0.kind == kind }
    }

    @Test func savedImportCarriesTheStoreOwner() throws {
        let saved = try Self.steps(
            "forward.yaml",
            replacing: """
                  kind: command                  # the store imports through its own tools
                  host: store1
                  import: [imsimport, -u, "{user}", -s, "{mbox}"]
                  count: [mboxutil, -c, -u, "{user}"]
                """,
            with: "  kind: maildir\n  host: store1\n  path: \"/srv/mail/{user}/Maildir\"\n  owner: mailsrv", kind: .savedImport)
        #expect(!saved.isEmpty)
        for step in saved { #expect(step.parameters.text("owner") == "mailsrv", "\(step.id)") }
    }

    @Test func holdReleaseCarriesTheStoreOwner() throws {
        let held = try Self.steps(
            "campus-large.yaml", replacing: #"store:  { kind: maildir, path: "/srv/mail/{user}/Maildir" }"#,
            with: #"store:  { kind: maildir, path: "/srv/mail/{user}/Maildir", owner: mailsrv }"#, kind: .holdRelease)
        #expect(!held.isEmpty)
        for step in held { #expect(step.parameters.text("owner") == "mailsrv", "\(step.id)") }
    }
}
