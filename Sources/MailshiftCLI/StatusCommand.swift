import Diagnostics
import ArgumentParser
import Executor
import Foundation
import Journal
import MigrationRun
import Steps

/// `mailshift status PLAN [--format text|json]`: where a run stands, readable while it runs.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's progress per batch and step kind, its failures and the gate it waits at.",
        discussion: "Reads the journal without taking its lock, so it works from another terminal during a run.")

    @Argument(help: "The plan file.") var plan: String
    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).")
    var state: String?
    @Option(name: .long, help: "What to print.") var format: OutputFormat = .text

    func run() async throws {
        let compiled = try await PreparedRun.load(plan, state: state, users: .journaled)
        let journal = try compiled.replay(quiet: true)
        let lock = try? compiled.store.lockStatus()
        let status = RunStatus(graph: compiled.graph, state: journal)
        if format == .json {
            Console.out(status.json(location: compiled.store.location, lock: lock) + "\n")
        } else {
            Console.out(compiled.usersSummary + status.text(planPath: plan, location: compiled.store.location, lock: lock))
        }
    }
}

/// Counts by batch and step kind, computed template by template.
struct RunStatus {
    struct Counts {
        var total = 0
        var byStatus: [StepStatus: Int] = [:]
    }

    let graph: StepGraph
    let state: JournalState
    var batches: [(name: String, counts: Counts, kinds: [(String, Counts)])] = []

    init(graph: StepGraph, state: JournalState) {
        self.graph = graph
        self.state = state
        var order: [String] = []
        var byBatch: [String: (Counts, [String: Counts], [String])] = [:]
        for (t, template) in graph.templates.enumerated() {
            let name = template.batch.map { graph.batches[$0].name } ?? "-"
            if byBatch[name] == nil {
                order.append(name)
                byBatch[name] = (Counts(), [:], [])
            }
            let kind = template.kind.rawValue
            if byBatch[name]!.1[kind] == nil { byBatch[name]!.2.append(kind) }
            for i in graph.steps(ofTemplate: t) {
                let s = state.status[i]
                byBatch[name]!.0.total += 1
                byBatch[name]!.0.byStatus[s, default: 0] += 1
                byBatch[name]!.1[kind, default: Counts()].total += 1
                byBatch[name]!.1[kind, default: Counts()].byStatus[s, default: 0] += 1
            }
        }
        batches = order.map { name in
            let (counts, kinds, kindOrder) = byBatch[name]!
            return (name, counts, kindOrder.map { ($0, kinds[$0]!) })
        }
    }

    /// Each batch's downtime so far, from the journal's completion times.
    var downtimeByBatch: [String: DowntimeSummary] {
        let windows = DowntimeWindows(graph: graph, state: state)
        return Dictionary(graph.batches.map { ($0.name, windows.summary(of: $0)) }, uniquingKeysWith: { a, _ in a })
    }

    private func describe(_ c: Counts) -> String {
        var parts = ["\(DryRunPreview.count(c.byStatus[.done] ?? 0))/\(DryRunPreview.count(c.total)) done"]
        for s in [StepStatus.started, .failed, .skipped, .waiting] where (c.byStatus[s] ?? 0) > 0 {
            parts.append("\(DryRunPreview.count(c.byStatus[s]!)) \(s == .started ? "in progress" : s.word)")
        }
        return parts.joined(separator: ", ")
    }

    func text(planPath: String, location: String, lock: (LockHolder, LockHolder.Liveness)?) -> String {
        var out = "plan \(graph.planName) (graph \(graph.fingerprint.short)), journal \(location)\n"
        guard state.header != nil else { return out + "no run yet: start one with `mailshift run \(planPath)`\n" }
        if let (holder, liveness) = lock {
            switch liveness {
            case .alive: out += "running: \(holder)\n"
            case .dead: out += "not running; a stale lock remains from \(holder) (`mailshift unlock \(planPath)`)\n"
            case .unknown: out += "locked from another host: \(holder)\n"
            }
        } else {
            out += "not running\n"
        }
        if let last = state.sessions.last {
            out += "last \(last.stepID) started \(last.detail.count > 2 ? last.detail[2] : "?") on \(last.detail.first ?? "?")\n"
        }
        if let change = state.change { out += PlanChangeText(change: change).text }
        let downtime = downtimeByBatch
        for b in batches {
            out += "batch \(b.name): \(describe(b.counts))\n"
            for (kind, c) in b.kinds { out += "  \(kind): \(describe(c))\n" }
            if let d = downtime[b.name], d.measured + d.open > 0 { out += "  " + DowntimeText.line(d) + "\n" }
        }
        let failures = state.failures.sorted { $0.key < $1.key }
        if !failures.isEmpty { out += "failures:\n" }
        out += DiagnosticRenderer().render(failures.map(\.value.diagnostic))
        for (i, a) in state.approvals.sorted(by: { $0.key < $1.key }) {
            out += "approved \(graph.stepID(i)) by \(a.who) at \(a.time)" + (a.comment.map { ": \($0)" } ?? "") + "\n"
        }
        for (i, message) in state.waiting.sorted(by: { $0.key < $1.key }) where state.status[i] == .waiting {
            out += "waiting at gate \(graph.stepID(i)): \(message)\n"
            out += "  approve with `mailshift approve \(planPath) \(graph.stepID(i))`, then `mailshift resume \(planPath)`\n"
        }
        if state.isComplete { out += "complete\n" }
        return out
    }

    func json(location: String, lock: (LockHolder, LockHolder.Liveness)?) -> String {
        func counts(_ c: Counts) -> [String: Any] {
            var o: [String: Any] = ["total": c.total]
            for s in StepStatus.allCases { o[s.word] = c.byStatus[s] ?? 0 }
            return o
        }
        var object: [String: Any] = [
            "plan": graph.planName, "graph": graph.fingerprint.hex, "journal": location,
            "started": state.header != nil, "complete": state.header != nil && state.isComplete,
        ]
        if let (holder, liveness) = lock {
            object["lock"] = ["host": holder.host, "pid": Int(holder.pid), "since": holder.started,
                "command": holder.command, "holder": liveness.rawValue]
        }
        let downtime = downtimeByBatch
        object["batches"] = batches.map { b -> [String: Any] in
            var o = counts(b.counts)
            o["name"] = b.name
            if let d = downtime[b.name] { o["downtime"] = DowntimeFigures(d).object }
            o["kinds"] = b.kinds.map { k -> [String: Any] in
                var ko = counts(k.1)
                ko["kind"] = k.0
                return ko
            }
            return o
        }
        object["failures"] = state.failures.sorted { $0.key < $1.key }.map { _, f -> [String: Any] in
            var o: [String: Any] = ["step": f.stepID, "summary": f.summary, "transient": f.transient]
            if let hint = f.hint { o["hint"] = hint }
            return o
        }
        object["gates"] = state.waiting.sorted { $0.key < $1.key }.filter { state.status[$0.key] == .waiting }
            .map { ["step": graph.stepID($0.key), "message": $0.value] }
        object["approvals"] = state.approvals.sorted { $0.key < $1.key }.map { i, a -> [String: Any] in
            var o: [String: Any] = ["step": graph.stepID(i), "by": a.who, "at": a.time]
            if let comment = a.comment { o["comment"] = comment }
            return o
        }
        if let change = state.change {
            object["change"] = ["changed": change.changed, "invalidated": change.invalidated, "removed": change.removed,
                "refusals": change.refusals.map(\.description)]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
