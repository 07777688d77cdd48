import Foundation
@testable import PlanCompiler
import Steps
import Testing

/// `precopy` in a plan: a per-user pre-copy before each batch's window, and a window import that
/// takes the delta against it; refused where it cannot work.
@Suite struct PrecopyCompileTests {
    static let example = TestPaths.plans.appendingPathComponent("precopy.yaml").path

    static func edited(_ replacements: [(String, String)]) throws -> CompilationResult {
        var text = try String(contentsOfFile: example, encoding: .utf8)
        for (from, to) in replacements {
            try #require(text.contains(from), "\(from) is not in the example")
            text = text.replacingOccurrences(of: from, with: to)
        }
        return Compiler.compile(text: Array(text.utf8), path: example)
    }

    @Test func eachBatchPrecopiesBeforeItsWindowAndTheWindowTakesTheDelta() throws {
        let graph = try #require(Compiler.compile(planAt: Self.example).graph)
        for (batch, passes) in [("pilot", 1), ("staff", 2)] {
            let t = try #require(graph.templates.firstIndex { $0.idPrefix == "\(batch)/precopy" })
            let precopy = graph.templates[t]
            #expect(precopy.fanout == .perUser)
            guard case .mailboxImport(let p) = precopy.action else { Issue.record("not an import"); continue }
            #expect(p.precopyPasses == passes)
            // Nothing of the window (mailHost, hold) before every user's pre-copy is done.
            let mailhost = try #require(graph.templates.first { $0.idPrefix == "\(batch)/set-mailhost" })
            #expect(mailhost.dependencies.contains(.all(t)))
            let window = try #require(graph.templates.first { $0.idPrefix == "\(batch)/import" })
            guard case .mailboxImport(let w) = window.action else { Issue.record("not an import"); continue }
            #expect(w.precopyStep?.id == "\(batch)/precopy/{user}")
            #expect(w.precopyPasses == nil)
        }
        let step = graph.step(try #require(graph.indexByID()["staff/import/cai"]))
        #expect(try step.parameters(MailboxImportParameters.self).precopyStep?.id == "staff/precopy/cai")
    }

    @Test func aBatchCanTurnThePoliciesPrecopyOff() throws {
        let graph = try #require(try Self.edited([("precopy: { passes: 2 }", "precopy: false")]).graph)
        #expect(graph.templates.contains { $0.idPrefix == "pilot/precopy" })
        #expect(!graph.templates.contains { $0.idPrefix == "staff/precopy" })
        let window = try #require(graph.templates.first { $0.idPrefix == "staff/import" })
        guard case .mailboxImport(let w) = window.action else { Issue.record("not an import"); return }
        #expect(w.precopyStep == nil)
    }

    @Test func aPlanWithoutPrecopyCompilesAsBefore() throws {
        let without = try #require(try Self.edited([("precopy: { passes: 2 }", "precopy: false"), ("precopy: true ", "precopy: false")]).graph)
        #expect(!without.templates.contains { $0.idPrefix.hasSuffix("/precopy") })
        let omitted = try #require(try Self.edited([("    precopy: { passes: 2 }", ""), ("  precopy: true ", "  # ")]).graph)
        #expect(omitted.fingerprint == without.fingerprint, "writing precopy: false is the same plan as not writing it")
    }

    @Test func refusedForACommandStoreAndForTooManyPasses() throws {
        let command = try Self.edited([("store:  { kind: maildir, host: legacy, path: \"/srv/vmail/{user}/Maildir\" }",
            "store:  { kind: command, host: legacy, import: [imsimport, \"{user}\"], count: [mboxutil, \"{user}\"] }")])
        #expect(command.diagnostics.errors.filter { $0.code == "compiler.precopy-store" }.count == 2)

        let many = try Self.edited([("passes: 2", "passes: 11")])
        #expect(many.diagnostics.errors.contains { $0.message.contains("passes must be at most 10") }, "\(many.diagnostics.errors.map(\.message))")
        let wrong = try Self.edited([("precopy: true ", "precopy: sometimes ")])
        #expect(wrong.diagnostics.hasErrors)
    }
}
