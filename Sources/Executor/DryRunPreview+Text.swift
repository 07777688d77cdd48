import Steps

/// The preview as text. Global steps appear in their place in the graph, each batch at its first
/// step. The summary gives, per batch, one line per step kind with counts and an example, and
/// names irreversible steps (all of them up to a bound per batch); `detail` prints every step
/// that would change with each of its changes.
extension DryRunPreview {
    /// Irreversible steps the summary names per batch before it counts the rest.
    static let irreversibleShown = 3

    public func render(detail: Bool = false) -> String {
        var out = ""
        for group in groups() {
            if group.batch == nil {
                for e in group.entries { out += detail ? Self.detailBlock(e) : Self.globalLine(e) }
                continue
            }
            let t = Self.totals(group.entries)
            out += "batch \(group.batch!): \(Self.count(t.toChange)) to change, \(Self.count(t.unknown)) unknown, "
                + "\(Self.count(t.done)) already done\n"
            out += detail ? group.entries.map(Self.detailBlock).joined() : Self.summary(group.entries)
        }
        return out + totalsLine()
    }

    func totalsLine() -> String {
        let t = totals
        var line = "Plan: \(Self.count(t.toChange)) to change, \(Self.count(t.unknown)) unknown, \(Self.count(t.done)) already done"
        if t.messages > 0 || t.bytes > 0 {
            line += "; \(Self.count(t.messages)) messages, \(Self.bytes(t.bytes)) to import"
        }
        if t.irreversible > 0 { line += "; \(t.irreversible) irreversible" }
        return line + ".\n"
    }

    struct Group {
        var batch: String?
        var entries: [Entry]
    }

    /// Consecutive global steps form a group of their own; a batch's steps form one group, placed
    /// at its first step.
    func groups() -> [Group] {
        var groups: [Group] = []
        var batchGroup: [String: Int] = [:]
        for e in ordered {
            if let batch = e.batch {
                if let g = batchGroup[batch] {
                    groups[g].entries.append(e)
                } else {
                    batchGroup[batch] = groups.count
                    groups.append(Group(batch: batch, entries: [e]))
                }
            } else if let last = groups.last, last.batch == nil {
                groups[groups.count - 1].entries.append(e)
            } else {
                groups.append(Group(batch: nil, entries: [e]))
            }
        }
        return groups
    }

    static func globalLine(_ e: Entry) -> String {
        guard let inspection = e.inspection, inspection.state != .done else { return "step \(e.stepID): already done\n" }
        let changes = inspection.changes.map(\.line)
        let what = changes.first ?? "? \(inspection.reason ?? "cannot tell without acting")"
        return "step \(e.stepID): \(what)" + (changes.count > 1 ? " (+\(changes.count - 1) more)" : "") + "\n"
    }

    static func detailBlock(_ e: Entry) -> String {
        guard let inspection = e.inspection, inspection.state != .done else { return "" }
        var out = "  \(e.stepID)\n"
        if inspection.state == .unknown { out += "    ? \(inspection.reason ?? "cannot tell without acting")\n" }
        for c in inspection.changes { out += "    \(c.line)\n" }
        return out
    }

    /// Per kind: counts, totals and the first step's first change; then the irreversible steps.
    static func summary(_ entries: [Entry]) -> String {
        var kinds: [StepKind] = []
        var byKind: [StepKind: [Entry]] = [:]
        for e in entries {
            if byKind[e.kind] == nil { kinds.append(e.kind) }
            byKind[e.kind, default: []].append(e)
        }
        var out = ""
        for kind in kinds {
            let list = byKind[kind]!
            let t = totals(list)
            var parts: [String] = []
            if t.toChange > 0 { parts.append("\(count(t.toChange)) to change") }
            if t.unknown > 0 { parts.append("\(count(t.unknown)) unknown") }
            if t.done > 0 { parts.append("\(count(t.done)) already done") }
            var line = "  \(kind.rawValue): " + parts.joined(separator: ", ")
            if t.messages > 0 || t.bytes > 0 { line += "; \(count(t.messages)) messages, \(bytes(t.bytes))" }
            out += line + "\n"
            if let example = list.first(where: { !$0.isDone }), let inspection = example.inspection {
                let first = inspection.changes.first?.line ?? "? \(inspection.reason ?? "cannot tell without acting")"
                out += "    e.g. \(example.stepID): \(first)\n"
            }
        }
        let irreversible = entries.filter(\.isIrreversible)
        for e in irreversible.prefix(irreversibleShown) {
            for c in e.inspection!.changes where c.marker == .irreversible { out += "    \(c.line)\n" }
        }
        if irreversible.count > irreversibleShown {
            out += "    ! and \(count(irreversible.count - irreversibleShown)) more irreversible steps (--detail lists every one)\n"
        }
        return out
    }
}
