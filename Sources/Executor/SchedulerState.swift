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
    private var waiting: [Int32]
    private var templateRemaining: [Int]
    private var allDependents: [[Int]]
    private var sameDependents: [[Int]]
    private var templateSkipped: [Bool]
    private var lanes: [ReadyLane]
    private var laneOfTemplate: [Int]
    private(set) var runningInLane: [Int]
    private var nextLane = 0
    let parallel: Int
    let perHost: Int
    private let selected: [Bool]
    private let admission: AdmissionGuard
    private(set) var readyCount = 0

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
        selected = Self.selectTemplates(graph, onlyBatches)

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

    /// `--only`: the named batches' templates and, transitively, every template they depend on.
    private static func selectTemplates(_ graph: StepGraph, _ only: Set<String>) -> [Bool] {
        guard !only.isEmpty else { return [Bool](repeating: true, count: graph.templates.count) }
        var selected = graph.templates.map { t in t.batch.map { only.contains(graph.batches[$0].name) } ?? false }
        var stack = selected.indices.filter { selected[$0] }
        while let t = stack.popLast() {
            for d in graph.templates[t].dependencies {
                let u: Int
                switch d {
                case .all(let x), .sameUser(let x): u = x
                }
                if !selected[u] {
                    selected[u] = true
                    stack.append(u)
                }
            }
        }
        return selected
    }

    private mutating func enqueue(_ i: Int, template t: Int) {
        guard selected[t] else { return }
        lanes[laneOfTemplate[t]].push(Int32(i))
        readyCount += 1
    }

    /// The next ready step that fits the limits (call only while fewer than `parallel` run).
    mutating func popReady() -> Int? {
        guard readyCount > 0 else { return nil }
        for k in 0..<lanes.count {
            let lane = (nextLane + k) % lanes.count
            if lane != 0, runningInLane[lane] >= perHost { continue }
            while let i = lanes[lane].pop() {
                readyCount -= 1
                let t = graph.locate(Int(i)).template
                if let b = graph.templates[t].batch, admission.isStopped(b) { continue }
                nextLane = (lane + 1) % lanes.count
                runningInLane[lane] += 1
                return Int(i)
            }
        }
        return nil
    }

    /// A step that left the running set (call once per popped step).
    mutating func release(_ i: Int) {
        runningInLane[laneOfTemplate[graph.locate(i).template]] -= 1
    }

    /// Marks `i` done and makes what waited only on it ready.
    mutating func complete(_ i: Int) {
        let (t, ordinal) = graph.locate(i)
        status[i] = .done
        templateRemaining[t] -= 1
        for d in sameDependents[t] {
            let j = graph.offsets[d] + ordinal
            guard j < graph.offsets[d + 1] else { continue }
            satisfy(j, template: d)
        }
        if templateRemaining[t] == 0 {
            for d in allDependents[t] {
                for j in graph.steps(ofTemplate: d) { satisfy(j, template: d) }
            }
        }
    }

    private mutating func satisfy(_ j: Int, template d: Int) {
        waiting[j] -= 1
        if waiting[j] == 0, status[j] == .pending || status[j] == .started {
            enqueue(j, template: d)
        }
    }

    /// Marks `i` failed and returns the steps downstream of it that can no longer run (marked
    /// skipped). Its batch's failure count is kept by `AdmissionGuard`.
    mutating func fail(_ i: Int) -> [Int] {
        status[i] = .failed
        return skipDownstream(of: i)
    }

    /// Template → host lane (0: no host), for `ApplySlots`.
    var laneTable: [Int] { laneOfTemplate }

    var laneCount: Int { lanes.count }

    /// Marks a gate waiting: its dependents stay pending (they run after approval and a resume).
    mutating func wait(_ i: Int) { status[i] = .waiting }


    private mutating func skipDownstream(of root: Int) -> [Int] {
        var out: [Int] = []
        var stack = [root]
        while let i = stack.popLast() {
            let (t, ordinal) = graph.locate(i)
            for d in sameDependents[t] {
                let j = graph.offsets[d] + ordinal
                guard j < graph.offsets[d + 1], status[j] == .pending || status[j] == .started else { continue }
                status[j] = .skipped
                out.append(j)
                stack.append(j)
            }
            for d in allDependents[t] where !templateSkipped[d] {
                templateSkipped[d] = true
                for j in graph.steps(ofTemplate: d) where status[j] == .pending || status[j] == .started {
                    status[j] = .skipped
                    out.append(j)
                    stack.append(j)
                }
            }
        }
        return out
    }
}

/// A FIFO of step indices (32 bits each) that reuses its storage.
struct ReadyLane {
    private var items: [Int32] = []
    private var head = 0

    mutating func push(_ i: Int32) { items.append(i) }

    mutating func pop() -> Int32? {
        guard head < items.count else { return nil }
        let i = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return i
    }
}
