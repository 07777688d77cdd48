import Foundation
import Steps

/// A dry-run's findings, terraform-plan style: every step of the graph with what it would change
/// (or that it is already done), in graph order. Rendered as a per-batch summary, as one block
/// per step (`--detail`), or as a stable JSON document (`DryRunPreview+JSON`).
public struct DryRunPreview: Sendable {
    public struct Entry: Sendable {
        public var index: Int
        public var stepID: String
        public var kind: StepKind
        /// nil for a step outside every batch (a global step: stop the MTA, sync the directory).
        public var batch: String?
        /// nil when the journal already records the step done (not inspected again).
        public var inspection: Inspection?

        /// What the step would do: `change`, `none` or `unknown` (the JSON's `action`).
        public var action: String {
            guard let inspection else { return "none" }
            switch inspection.state {
            case .done: return "none"
            case .pending: return "change"
            case .unknown: return "unknown"
            }
        }

        var isDone: Bool { inspection == nil || inspection?.state == .done }
        var isIrreversible: Bool { inspection?.changes.contains { $0.marker == .irreversible } == true }
    }

    /// In the order inspections finished; `ordered` is graph order (what every rendering uses).
    public private(set) var entries: [Entry] = []

    public init() {}

    mutating func add(_ step: StepInstance, inspection: Inspection?) {
        entries.append(Entry(index: step.index, stepID: step.id, kind: step.kind, batch: step.batch, inspection: inspection))
    }

    /// Entries in graph order.
    public var ordered: [Entry] { entries.sorted { $0.index < $1.index } }

    public struct Totals: Sendable, Hashable {
        public var toChange = 0
        public var unknown = 0
        public var done = 0
        public var irreversible = 0
        public var messages = 0
        public var bytes = 0

        mutating func count(_ e: Entry) {
            guard let inspection = e.inspection, inspection.state != .done else {
                done += 1
                return
            }
            if inspection.state == .unknown { unknown += 1 } else { toChange += 1 }
            for c in inspection.changes {
                if c.marker == .irreversible { irreversible += 1 }
                messages += c.messages ?? 0
                bytes += c.bytes ?? 0
            }
        }
    }

    public var totals: Totals { Self.totals(entries) }

    static func totals(_ entries: some Sequence<Entry>) -> Totals {
        var t = Totals()
        for e in entries { t.count(e) }
        return t
    }

    /// 1204 → "1,204".
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// 92_274_688 → "88 MB" (binary units, as `du -h` counts).
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var u = 0
        while value >= 1024, u < units.count - 1 {
            value /= 1024
            u += 1
        }
        return u == 0 ? "\(n) B" : (value < 10 ? String(format: "%.1f", value) + " " + units[u] : "\(Int(value.rounded())) \(units[u])")
    }
}
