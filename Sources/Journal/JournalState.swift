import Steps

/// The journal replayed onto a graph: each step's status, the outputs later steps need, failures,
/// approvals; and, when the journal was written for another version of the plan, what changed.
///
/// Memory: one byte of status per step; outputs, failures and approvals only for the steps that
/// have them.
public struct JournalState: Sendable {
    public var header: JournalHeader?
    public var status: [StepStatus]
    /// Finished outputs, or checkpointed partial outputs of an unfinished step.
    public var outputs: [Int: StepOutputs]
    public var failures: [Int: FailureNote]
    /// When each done step finished (unix milliseconds), where the journal recorded it: downtime.
    public var finishedAt: [Int: Int64] = [:]
    /// Gates approved (still valid for this graph).
    public var approved: Set<Int>
    /// Who approved each of those gates, when, and why (as recorded in this journal).
    public var approvals: [Int: Approval] = [:]
    /// Gates waiting, with their message.
    public var waiting: [Int: String]
    /// Session records (each run or resume), oldest first.
    public var sessions: [JournalRecord]
    /// `users_from` lists resolved when a run started (`ResolvedUsers`), oldest first.
    public var resolved: [JournalRecord]
    public var warnings: [String]
    public var recordCount: Int
    /// Set when the journal was bound to another graph fingerprint.
    public var change: PlanChange?

    public init(stepCount: Int) {
        header = nil
        status = [StepStatus](repeating: .pending, count: stepCount)
        outputs = [:]
        failures = [:]
        approved = []
        waiting = [:]
        sessions = []
        resolved = []
        warnings = []
        recordCount = 0
    }

    /// True when the journal has no record of any step.
    public var isEmpty: Bool { header == nil || recordCount == sessions.count + resolved.count }

    /// True when every step is done.
    public var isComplete: Bool { status.allSatisfy { $0 == .done } }

    /// Replays `store` onto `graph`. Same graph fingerprint: records apply by index (fast).
    /// Another fingerprint: records map by step id and fingerprint (see `JournalState+PlanChange`).
    public static func load(from store: any JournalStore, for graph: StepGraph) throws -> JournalState {
        var state = JournalState(stepCount: graph.stepCount)
        guard let header = try store.readHeader() else { return state }
        guard header.planName == graph.planName else {
            throw JournalError.otherPlan(path: store.location, journalPlan: header.planName, plan: graph.planName)
        }
        if header.graphFingerprint == graph.fingerprint.hex {
            let result = try store.read(full: false) { record in
                if record.kind == .session || record.kind == .resolved {
                    state.apply(record)
                    return
                }
                guard record.index >= 0, record.index < graph.stepCount else {
                    throw JournalError.unreadable(
                        path: store.location, reason: "record for step \(record.index) of \(graph.stepCount)")
                }
                state.apply(record)
            }
            state.header = header
            state.warnings = result.warnings
            state.recordCount = result.recordCount
            return state
        }

        // Bound to another version of the plan: replay with ids and fingerprints.
        var foreign: [String: OldStep] = [:]
        let result = try store.read(full: true) { record in
            if record.kind == .session || record.kind == .resolved {
                state.apply(record)
            } else {
                foreign[record.stepID, default: OldStep(fingerprint: record.fingerprint)].apply(record)
            }
        }
        state.header = header
        state.warnings = result.warnings
        state.recordCount = result.recordCount
        state.reconcile(foreign, with: graph)
        return state
    }

    mutating func apply(_ record: JournalRecord) {
        let i = record.index
        switch record.kind {
        case .started:
            status[i] = .started
            failures[i] = nil
            waiting[i] = nil
        case .done:
            status[i] = .done
            waiting[i] = nil
            failures[i] = nil
            finishedAt[i] = record.finishedAt
            let o = record.outputs
            if !o.isEmpty { outputs[i] = o }
        case .failed:
            status[i] = .failed
            failures[i] = record.failureNote
        case .skipped:
            status[i] = .skipped
        case .released:
            if status[i] == .started { status[i] = .pending }
        case .rolledBack:
            status[i] = .pending
            failures[i] = nil
            finishedAt[i] = nil
            if record.forgetsOutputs { outputs[i] = nil }
        case .waiting:
            status[i] = .waiting
            waiting[i] = record.detail.first ?? ""
        case .approved:
            approved.insert(i)
            let d = record.detail
            approvals[i] = Approval(who: d.first ?? "", time: d.count > 1 ? d[1] : "", comment: d.count > 2 ? d[2] : nil)
        case .checkpoint:
            outputs[i] = (outputs[i] ?? StepOutputs()).merging(record.outputs)
        case .session:
            sessions.append(record)
        case .resolved:
            resolved.append(record)
        }
    }

    /// Records that reproduce this state in a fresh journal bound to `graph` (compaction, or
    /// rebinding after a plan change).
    public func compactedRecords(for graph: StepGraph) -> [JournalRecord] {
        // The latest list of each batch first: a rebound journal still moves the same users.
        var latest: [String: JournalRecord] = [:]
        for r in resolved { latest[r.stepID] = r }
        var out = latest.keys.sorted().compactMap { latest[$0] } + sessions
        for i in 0..<status.count where status[i] != .pending || outputs[i] != nil || approved.contains(i) {
            let step = graph.step(i)
            if approved.contains(i) {
                let a = approvals[i]
                out.append(.approved(step, by: a?.who ?? "journal", at: a?.time ?? "", comment: a?.comment))
            }
            switch status[i] {
            case .done:
                out.append(.done(step, how: "kept", outputs: outputs[i] ?? StepOutputs(), at: finishedAt[i]))
            case .failed:
                if let o = outputs[i] { out.append(.checkpoint(step, outputs: o)) }
                if let f = failures[i] {
                    out.append(.failed(step, f))
                }
            default:
                if let o = outputs[i] { out.append(.checkpoint(step, outputs: o)) }
                if status[i] == .started { out.append(.started(step, attempt: 0)) }
            }
        }
        return out
    }
}

/// What one step id's records said, in a journal bound to another graph.
struct OldStep {
    var fingerprint: String
    var status: StepStatus = .pending
    var outputs: StepOutputs?
    var failure: FailureNote?
    var approved = false
    var finishedAt: Int64?

    init(fingerprint: String) { self.fingerprint = fingerprint }

    mutating func apply(_ record: JournalRecord) {
        if record.fingerprint != fingerprint {
            // The same id under another definition (an earlier rebinding): the latest wins.
            self = OldStep(fingerprint: record.fingerprint)
        }
        switch record.kind {
        case .started: status = .started
        case .done:
            status = .done
            finishedAt = record.finishedAt
            let o = record.outputs
            if !o.isEmpty { outputs = o }
        case .failed:
            status = .failed
            failure = record.failureNote
        case .skipped: status = .skipped
        case .released: if status == .started { status = .pending }
        case .rolledBack:
            status = .pending
            finishedAt = nil
            if record.forgetsOutputs { outputs = nil }
        case .waiting: status = .waiting
        case .approved: approved = true
        case .checkpoint: outputs = (outputs ?? StepOutputs()).merging(record.outputs)
        case .session, .resolved: break
        }
    }
}

/// A gate's approval as journaled: the operator (login, the person behind sudo, or a name they
/// gave), the time, and an optional comment.
public struct Approval: Sendable, Hashable {
    public var who: String
    public var time: String
    public var comment: String?

    public init(who: String, time: String, comment: String?) {
        self.who = who
        self.time = time
        self.comment = comment
    }
}
