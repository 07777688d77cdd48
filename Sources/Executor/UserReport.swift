import Journal
import Steps

/// One row of `mailshift report`: what the journal says happened to one user.
public struct UserReport: Sendable, Hashable {
    public enum Verify: String, Sendable { case passed, failed, pending }
    public enum Outcome: String, Sendable {
        /// Every step for the user is done.
        case complete
        /// A step for the user failed, or was skipped because one did.
        case failed
        /// Waiting at a gate for `mailshift approve`.
        case waiting
        case inProgress = "in_progress"
        case pending
    }

    public var user: String
    public var batch: String
    /// Messages and bytes in the source mailbox as the window's import read it.
    public var messages: Int?
    public var bytes: Int?
    /// Messages the pre-copy stored while the user was live (nil: no pre-copy ran).
    public var precopyMessages: Int?
    /// Messages the window's import stored (with a pre-copy, only the delta).
    public var deltaMessages: Int?
    public var verify: Verify
    public var window: DowntimeWindows.Window
    public var outcome: Outcome

    public var downtimeSeconds: Double? { window.seconds }

    /// A row per user of `graph.users`, in that order.
    public static func rows(graph: StepGraph, state: JournalState) -> [UserReport] {
        let windows = DowntimeWindows(graph: graph, state: state).windows
        var byBatch = [[Int]](repeating: [], count: graph.batches.count)
        var global: [Int] = []
        for (t, template) in graph.templates.enumerated() {
            if let b = template.batch { byBatch[b].append(t) } else { global.append(t) }
        }
        let globalStatus = global.flatMap { Array(graph.steps(ofTemplate: $0)) }.map { state.status[$0] }
        var rows: [UserReport] = []
        rows.reserveCapacity(graph.users.count)
        for (b, batch) in graph.batches.enumerated() {
            for u in batch.users {
                let ordinal = u - batch.users.lowerBound
                var statuses = globalStatus
                var row = UserReport(user: graph.users[u], batch: batch.name, verify: .pending, window: windows[u],
                    outcome: .pending)
                for t in byBatch[b] {
                    let template = graph.templates[t]
                    let range = graph.steps(ofTemplate: t)
                    let i = template.fanout == .perUser ? range.lowerBound + ordinal : range.lowerBound
                    guard range.contains(i) else { continue }
                    statuses.append(state.status[i])
                    row.read(step: i, of: template, state: state)
                }
                row.outcome = Self.outcome(statuses)
                rows.append(row)
            }
        }
        return rows
    }

    /// Takes counts from the user's import, pre-copy and verify steps.
    mutating func read(step i: Int, of template: StepTemplate, state: JournalState) {
        let name = DowntimeWindows.stepName(template.idPrefix)
        switch template.kind {
        case .mailboxImport:
            guard let o = state.outputs[i]?.decode(MailboxImportOutputs.self), state.status[i] == .done else { return }
            if name == "import" {
                messages = o.messages
                bytes = o.bytes
                deltaMessages = o.imported
            } else {
                precopyMessages = (precopyMessages ?? 0) + (o.imported ?? 0)
            }
        case .mailboxVerify:
            switch state.status[i] {
            case .done: verify = .passed
            case .failed: verify = .failed
            default: verify = .pending
            }
        default: break
        }
    }

    static func outcome(_ statuses: [StepStatus]) -> Outcome {
        if statuses.contains(where: { $0 == .failed || $0 == .skipped }) { return .failed }
        if statuses.allSatisfy({ $0 == .done }) { return .complete }
        if statuses.contains(.waiting) { return .waiting }
        if statuses.allSatisfy({ $0 == .pending }) { return .pending }
        return .inProgress
    }
}
