import Diagnostics
import Steps

/// Preflight checks as text: one line per check, then each problem (the first few per check)
/// with its hint. Escaped like every name the CLI prints.
struct PreflightText {
    let checks: [PreflightCheck]
    /// Problems listed per check before the rest are counted.
    static let shown = 20

    var text: String {
        guard !checks.isEmpty else { return "" }
        let failing = checks.filter { !$0.ok }.count
        var out = "preflight: \(checks.count) checks, " + (failing == 0 ? "all passed" : "\(failing) with problems") + "\n"
        for c in checks {
            let mark = !c.ok ? "✗" : c.skipped ? "-" : "✓"
            out += TerminalSafeText.escape("  \(mark) \(c.check): \(c.detail)") + "\n"
            for p in c.problems.prefix(Self.shown) {
                out += TerminalSafeText.escape("      \(p.subject): \(p.reason)") + "\n"
                if let hint = p.hint { out += TerminalSafeText.escape("        hint: \(hint)") + "\n" }
            }
            if c.problems.count > Self.shown { out += "      and \(c.problems.count - Self.shown) more\n" }
        }
        return out
    }
}
