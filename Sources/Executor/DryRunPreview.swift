import Foundation
import Steps

/// A dry-run's findings, terraform-plan style: per batch, each step that would change and how,
/// then totals. Steps already done are counted, not listed.
public struct DryRunPreview: Sendable {
    public struct Entry: Sendable {
        public var index: Int
        public var stepID: String
        public var inspection: Inspection
    }

    public struct Section: Sendable {
        public var batch: String
        public var entries: [Entry] = []
        public var done = 0
    }

    public private(set) var sections: [Section] = []
    private var sectionIndex: [String: Int] = [:]

    public init() {}

    /// Lists the batches in this order, whatever order their steps finish in.
    mutating func declare(batches names: [String]) {
        for name in names where sectionIndex[name] == nil {
            sectionIndex[name] = sections.count
            sections.append(Section(batch: name))
        }
    }

    mutating func add(batch: String?, index: Int, stepID: String, inspection: Inspection?) {
        let name = batch ?? "-"
        let s: Int
        if let known = sectionIndex[name] {
            s = known
        } else {
            s = sections.count
            sectionIndex[name] = s
            sections.append(Section(batch: name))
        }
        guard let inspection, inspection.state != .done else {
            sections[s].done += 1
            return
        }
        sections[s].entries.append(Entry(index: index, stepID: stepID, inspection: inspection))
    }

    public struct Totals: Sendable, Hashable {
        public var toChange = 0
        public var unknown = 0
        public var done = 0
        public var irreversible = 0
        public var messages = 0
        public var bytes = 0
    }

    public var totals: Totals {
        var t = Totals()
        for s in sections {
            t.done += s.done
            for e in s.entries {
                if e.inspection.state == .unknown { t.unknown += 1 } else { t.toChange += 1 }
                for c in e.inspection.changes {
                    if c.marker == .irreversible { t.irreversible += 1 }
                    t.messages += c.messages ?? 0
                    t.bytes += c.bytes ?? 0
                }
            }
        }
        return t
    }

    /// The preview as text: a section per batch, steps in graph order, then totals.
    public func render() -> String {
        var out = ""
        for s in sections {
            let entries = s.entries.sorted { $0.index < $1.index }
            out += "batch \(s.batch): \(entries.count) to change, \(s.done) already done\n"
            for e in entries {
                out += "  \(e.stepID)\n"
                if e.inspection.state == .unknown {
                    out += "    ? \(e.inspection.reason ?? "cannot tell without acting")\n"
                }
                for c in e.inspection.changes { out += "    \(c.line)\n" }
            }
        }
        let t = totals
        var line = "Plan: \(Self.count(t.toChange)) to change, \(Self.count(t.unknown)) unknown, \(Self.count(t.done)) already done"
        if t.messages > 0 || t.bytes > 0 {
            line += "; \(Self.count(t.messages)) messages, \(Self.bytes(t.bytes)) to import"
        }
        if t.irreversible > 0 { line += "; \(t.irreversible) irreversible" }
        return out + line + ".\n"
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
