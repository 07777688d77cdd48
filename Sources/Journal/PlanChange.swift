import Steps

/// How a journal written for one version of a plan maps onto another.
///
/// Rules (also in docs/executor.md):
/// - A step whose id and fingerprint are unchanged keeps its state (done stays done) — unless a
///   step it depends on, directly or not, must run again: then it runs again too (its effect was
///   computed from the old upstream: a verify of an import that will be redone proves nothing).
/// - A step whose fingerprint changed, and every step downstream of it, runs again (its journaled
///   outputs are kept as `previousOutputs`, e.g. a directory's original values).
/// - A journaled step that the new graph lacks is listed as removed (nothing is undone).
/// - Point of no return: an irreversible step (`source.retire`) that started or finished can
///   never run again under new parameters. If a changed step is irreversible and already started
///   or done, or is upstream of such a step, the resume is refused and the reason names both.
public struct PlanChange: Sendable, Hashable {
    public struct Refusal: Sendable, Hashable, CustomStringConvertible {
        /// The irreversible step that already ran.
        public var stepID: String
        public var status: StepStatus
        /// The changed step that would force it to run again (itself, or one upstream).
        public var causeID: String

        public var description: String {
            if causeID == stepID {
                return "\(stepID) is irreversible and already \(status.word), but its definition changed"
            }
            return "\(stepID) is irreversible and already \(status.word), but \(causeID), upstream of it, changed"
        }
    }

    public var previousFingerprint: String
    /// Steps whose own definition changed (they had a record).
    public var changed: [String] = []
    /// Steps done, started or approved, unchanged themselves, that run again because something
    /// upstream changed.
    public var invalidated: [String] = []
    /// Steps with a record that the new graph does not have.
    public var removed: [String] = []
    /// Steps whose state carried over unchanged.
    public var kept = 0
    public var refusals: [Refusal] = []

    public var isRefused: Bool { !refusals.isEmpty }

    public init(previousFingerprint: String) { self.previousFingerprint = previousFingerprint }
}

extension JournalState {
    mutating func reconcile(_ old: [String: OldStep], with graph: StepGraph) {
        var change = PlanChange(previousFingerprint: header?.graphFingerprint ?? "")
        let locator = StepLocator(graph: graph)
        let n = graph.stepCount
        var own = [Bool](repeating: false, count: n)
        var oldByIndex: [Int: OldStep] = [:]
        for (id, step) in old {
            guard let i = locator.index(of: id) else {
                change.removed.append(id)
                continue
            }
            oldByIndex[i] = step
            let current = String(graph.step(i).fingerprint.hex.prefix(16))
            if step.fingerprint != current {
                own[i] = true
                change.changed.append(id)
            }
        }
        // Propagate "must run again" downstream, template by template in topological order.
        var cause = [Int32](repeating: -1, count: n)
        var templateCause = [Int32](repeating: -1, count: graph.templates.count)
        for t in Self.topologicalTemplates(graph) {
            let template = graph.templates[t]
            for i in graph.steps(ofTemplate: t) {
                let ordinal = i - graph.offsets[t]
                var c: Int32 = own[i] ? Int32(i) : -1
                if c < 0 {
                    for d in template.dependencies {
                        switch d {
                        case .all(let u): if templateCause[u] >= 0 { c = templateCause[u] }
                        case .sameUser(let u):
                            let j = graph.offsets[u] + ordinal
                            if j < graph.offsets[u + 1], cause[j] >= 0 { c = cause[j] }
                        }
                        if c >= 0 { break }
                    }
                }
                cause[i] = c
                if c >= 0, templateCause[t] < 0 { templateCause[t] = c }
            }
        }
        for (i, step) in oldByIndex.sorted(by: { $0.key < $1.key }) {
            let c = Int(cause[i])
            if c < 0 {
                change.kept += 1
                status[i] = step.status
                finishedAt[i] = step.finishedAt
                if let o = step.outputs { outputs[i] = o }
                if let f = step.failure { failures[i] = f }
                if step.approved { approved.insert(i) }
                continue
            }
            // Runs again: keep outputs for `previousOutputs`, drop status and approval.
            if let o = step.outputs { outputs[i] = o }
            if !own[i], step.status == .done || step.status == .started || step.approved {
                change.invalidated.append(graph.stepID(i))
            }
            if graph.templates[graph.locate(i).template].kind.isIrreversible,
                step.status == .done || step.status == .started
            {
                change.refusals.append(PlanChange.Refusal(stepID: graph.stepID(i), status: step.status,
                    causeID: graph.stepID(c)))
            }
        }
        change.changed.sort()
        change.removed.sort()
        self.change = change
    }

    /// Template indices with every template after those it depends on (Kahn's algorithm; a cycle,
    /// which the compiler rejects, leaves its templates at the end in index order).
    static func topologicalTemplates(_ graph: StepGraph) -> [Int] {
        let count = graph.templates.count
        var indegree = [Int](repeating: 0, count: count)
        var dependents = [[Int]](repeating: [], count: count)
        for (t, template) in graph.templates.enumerated() {
            for d in template.dependencies {
                let u: Int
                switch d {
                case .all(let x), .sameUser(let x): u = x
                }
                indegree[t] += 1
                dependents[u].append(t)
            }
        }
        var order = (0..<count).filter { indegree[$0] == 0 }
        var head = 0
        while head < order.count {
            for t in dependents[order[head]] {
                indegree[t] -= 1
                if indegree[t] == 0 { order.append(t) }
            }
            head += 1
        }
        if order.count < count {
            let seen = Set(order)
            order += (0..<count).filter { !seen.contains($0) }
        }
        return order
    }
}
