import Journal
import Steps

/// The plan of work (ninja's `Plan`): which steps are ready, under which limits, and what a
/// completion or a failure unblocks or skips.
///
/// Invariants:
/// - Dependencies are counted at template level: a step waits on a counter (`waiting[i]`), which
///   `.sameUser` completions decrement one step at a time and a template's last completion
///   decrements for every step of templates that wait on `.all` of it. Per step this costs one
///   status byte, one 32-bit counter and at most one queue slot (≈ 9 bytes).
/// - Only the run loop touches this value (no lock): steps report back through the task group.
/// - Ready steps wait in one FIFO lane per host (lane 0: no host) so `per_host` never blocks
///   steps of other hosts.
/// - `parallel` and `perHost` here bound *admission* (a window several times the real limits);
///   `ApplySlots` enforces the real limits while steps act. See `ApplySlots` for why.
struct SchedulerState {
    let graph: StepGraph
    var status: [StepStatus]
    var waiting: [Int32]
    var templateRemaining: [Int]
    var allDependents: [[Int]]
    var sameDependents: [[Int]]
    var templateSkipped: [Bool]
    var lanes: [ReadyLane]
    var laneOfTemplate: [Int]
    var runningInLane: [Int]
    var nextLane = 0
    let parallel: Int
    let perHost: Int
    let selected: [Bool]
    let admission: AdmissionGuard
    var readyCount = 0
    /// Template → users whose step of it was set aside this run (and the step that caused it):
    /// when the template finishes, its `.all` dependents go on without them.
    var setAsideUsers: [Int: (users: Set<String>, cause: Int)] = [:]

    init(graph: StepGraph, status: [StepStatus], parallel: Int, perHost: Int, onlyBatches: Set<String>,
        admission: AdmissionGuard)
    {
        self.admission = admission
        self.graph = graph
        // Everything not done runs again: failed, skipped and waiting steps of an earlier run too.
        self.status = status.map { $0 == .done || $0 == .started ? $0 : .pending }
        self.parallel = max(1, parallel)
        self.perHost = max(1, perHost)
        let templates = graph.templates
        var all = [[Int]](repeating: [], count: templates.count)
        var same = [[Int]](repeating: [], count: templates.count)
        for (t, template) in templates.enumerated() {
            for d in template.dependencies {
                switch d {
                case .all(let u): all[u].append(t)
                case .sameUser(let u): same[u].append(t)
                }
            }
        }
        allDependents = all
        sameDependents = same
        templateSkipped = [Bool](repeating: false, count: templates.count)

        var hostLane: [String: Int] = [:]
        laneOfTemplate = templates.map { t in
            guard let h = t.host else { return 0 }
            if let lane = hostLane[h] { return lane }
            hostLane[h] = hostLane.count + 1
            return hostLane.count
        }
        lanes = [ReadyLane](repeating: ReadyLane(), count: hostLane.count + 1)
        runningInLane = [Int](repeating: 0, count: hostLane.count + 1)
        selected = BatchSelection.templates(graph, onlyBatches)

        templateRemaining = templates.indices.map { t in
            graph.steps(ofTemplate: t).reduce(0) { $0 + (status[$1] == .done ? 0 : 1) }
        }
        waiting = [Int32](repeating: 0, count: graph.stepCount)
        for (t, template) in templates.enumerated() {
            var base: Int32 = 0
            for case .all(let u) in template.dependencies where templateRemaining[u] > 0 { base += 1 }
            for i in graph.steps(ofTemplate: t) where status[i] != .done {
                let ordinal = i - graph.offsets[t]
                var w = base
                for case .sameUser(let u) in template.dependencies {
                    let j = graph.offsets[u] + ordinal
                    if j >= graph.offsets[u + 1] || status[j] != .done { w += 1 }
                }
                waiting[i] = w
                if w == 0 { enqueue(i, template: t) }
            }
        }
    }
}
