import ArgumentParser
import Diagnostics
import Foundation
import PlanCompiler

/// `mailshift check PLAN...`: compile each plan offline and report every mistake at once.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check plans offline: every mistake at once, with file:line:col, a caret and a hint.",
        discussion: """
            Loads, validates and compiles each plan into its step graph (printing none of it), without \
            touching any host or the directory. Exit status 0 when every plan compiles, 1 when any has \
            an error (see the README's exit-code table).

              mailshift check plans/*.yaml
              mailshift check plan.yaml --format json     machine-readable diagnostics
            """)

    @Argument(help: "Plan files to check.")
    var plans: [String]

    @Option(help: "Output format: text (for people) or json (for programs).")
    var format: OutputFormat = .text


    struct PlanReport: Encodable {
        var plan: String
        var ok: Bool
        var strategy: String?
        var batches: Int?
        var users: Int?
        var steps: Int?
        var fingerprint: String?
        var diagnostics: [Diagnostic]
    }

    func run() throws {
        var reports: [PlanReport] = []
        var failed = false
        for path in plans {
            let result = Compiler.compile(planAt: path)
            let ok = result.graph != nil && !result.diagnostics.hasErrors
            failed = failed || !ok
            let g = result.graph
            reports.append(
                PlanReport(
                    plan: path, ok: ok, strategy: g?.strategy, batches: g?.batches.count, users: g?.users.count, steps: g?.stepCount,
                    fingerprint: g?.fingerprint.hex, diagnostics: result.diagnostics.sorted))
            if format == .text {
                DiagnosticPrinter.writeError(DiagnosticPrinter.text(result.diagnostics, sources: result.sources))
                if let g, ok {
                    let batches = g.batches.count == 1 ? "1 batch" : "\(g.batches.count) batches"
                    print("\(path): ok: \(g.strategy), \(batches), \(g.users.count) users, \(g.stepCount) steps, fingerprint \(g.fingerprint.short)")
                } else {
                    print("\(path): \(DiagnosticPrinter.tally(result.diagnostics))")
                }
            }
        }
        if format == .json {
            // The encoder escapes only C0; DEL and C1 become \u escapes too, the same JSON string.
            print(String(decoding: TerminalSafeText.escapeJSON(Array(try DiagnosticPrinter.encoder().encode(reports))), as: UTF8.self))
        }
        if failed { throw ExitCode.planInvalid }
    }
}
