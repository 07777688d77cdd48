import Diagnostics
import Foundation

/// Prints diagnostics for people (compiler style, via `DiagnosticRenderer`) or for programs (JSON).
/// The only place the CLI turns diagnostics into text.
enum DiagnosticPrinter {
    enum Format: String, CaseIterable { case text, json }

    /// Compiler-style text: `plan.yaml:12:7: error: …`, the source line, a caret, a hint.
    static func text(_ diagnostics: DiagnosticList, sources: [String: String]) -> String {
        DiagnosticRenderer(sources: sources).render(diagnostics.sorted)
    }

    /// A one-line tally, e.g. `2 errors, 1 warning`.
    static func tally(_ diagnostics: DiagnosticList) -> String {
        let errors = diagnostics.items.filter { $0.severity == .error }.count
        let warnings = diagnostics.items.filter { $0.severity == .warning }.count
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return [plural(errors, "error"), warnings > 0 ? plural(warnings, "warning") : nil].compactMap { $0 }.joined(separator: ", ")
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return e
    }

    static func writeError(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
