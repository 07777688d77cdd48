import ArgumentParser
import Diagnostics
import Executor
import Foundation
import MigrationRun
import Steps

/// `mailshift report PLAN [--format text|json|csv]`: per user, what moved and how long the user
/// was without mail, from the journal (read without its lock, so it works during a run).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "List per user: messages, bytes, pre-copy and delta counts, verify result, downtime, outcome.",
        discussion: """
            Downtime runs from the step that takes a user's mail away (divert, choke hold, hold, inactive) to \
            the last step that gives it back, as the journal recorded their completion. JSON is stable: \
            `format_version`, `users[].downtime_s`.
            """)

    enum Format: String, CaseIterable, ExpressibleByArgument { case text, json, csv }

    @Argument(help: "The plan file.") var plan: String
    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).")
    var state: String?
    @Option(name: .long, help: "What to print.") var format: Format = .text

    func run() async throws {
        let compiled = try await PreparedRun.load(plan, state: state, users: .journaled)
        let journal = try compiled.replay(quiet: true)
        let rows = UserReport.rows(graph: compiled.graph, state: journal)
        let windows = DowntimeWindows(graph: compiled.graph, state: journal)
        switch format {
        case .json: try Console.printJSON(ReportDocument(graph: compiled.graph, rows: rows, windows: windows))
        case .csv: Console.out(ReportTable.csv(rows))
        case .text: Console.out(ReportTable.text(rows, graph: compiled.graph, windows: windows))
        }
    }
}

/// The report's text and CSV forms.
enum ReportTable {
    static let columns = ["user", "batch", "messages", "bytes", "precopy_messages", "delta_messages", "verify",
        "downtime_s", "outcome"]

    static func fields(_ r: UserReport) -> [String] {
        func n(_ v: Int?) -> String { v.map(String.init) ?? "" }
        return [r.user, r.batch, n(r.messages), n(r.bytes), n(r.precopyMessages), n(r.deltaMessages), r.verify.rawValue,
            r.downtimeSeconds.map(DowntimeSummary.text) ?? "", r.outcome.rawValue]
    }

    /// RFC 4180: a header line, then one line per user; fields quoted when they need it.
    static func csv(_ rows: [UserReport]) -> String {
        func quote(_ f: String) -> String {
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }
        var out = columns.joined(separator: ",") + "\r\n"
        for r in rows { out += fields(r).map(quote).joined(separator: ",") + "\r\n" }
        return out
    }

    static func text(_ rows: [UserReport], graph: StepGraph, windows: DowntimeWindows) -> String {
        let table = [columns] + rows.map { fields($0).map { $0.isEmpty ? "-" : TerminalSafeText.escape($0) } }
        var widths = [Int](repeating: 0, count: columns.count)
        for line in table { for (k, f) in line.enumerated() { widths[k] = max(widths[k], f.count) } }
        var out = TerminalSafeText.escape("plan \(graph.planName) (\(graph.strategy))") + "\n"
        for line in table {
            out += line.enumerated().map { k, f in f.padding(toLength: widths[k], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        for batch in graph.batches {
            out += TerminalSafeText.escape("batch \(batch.name): ") + DowntimeText.line(windows.summary(of: batch)) + "\n"
        }
        return out
    }
}

/// A downtime summary for people: `downtime median 1.204 s, p95 3.010 s, max 3.502 s (40 users)`.
enum DowntimeText {
    static func line(_ s: DowntimeSummary) -> String {
        guard let median = s.median, let p95 = s.p95, let max = s.max else {
            return s.open > 0 ? "downtime: \(s.open) windows open" : "downtime: none measured"
        }
        var out = "downtime median \(DowntimeSummary.text(median)) s, p95 \(DowntimeSummary.text(p95)) s, "
            + "max \(DowntimeSummary.text(max)) s (\(s.measured) users"
        if s.open > 0 { out += ", \(s.open) still open" }
        return out + ")"
    }
}
