import Journal
import Steps

/// What admitting, completing, failing or parking a step does to the plan of work.
extension SchedulerState {
    mutating func enqueue(_ i: Int, template t: Int) {
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

    /// Marks `i` done and makes what waited only on it ready. Returns steps skipped because the
    /// template it finished had users set aside (see `SchedulerState+SetAside`), with their cause.
    mutating func complete(_ i: Int) -> (skipped: [Int], cause: Int)? {
        let (t, ordinal) = graph.locate(i)
        status[i] = .done
        templateRemaining[t] -= 1
        for d in sameDependents[t] {
            let j = graph.offsets[d] + ordinal
            guard j < graph.offsets[d + 1] else { continue }
            satisfy(j, template: d)
        }
        guard templateRemaining[t] == 0 else { return nil }
        if let aside = setAsideUsers[t] {
            var skipped: [Int] = []
            finishTemplate(t, aside.users, &skipped)
            return (skipped, aside.cause)
        }
        for d in allDependents[t] {
            for j in graph.steps(ofTemplate: d) { satisfy(j, template: d) }
        }
        return nil
    }

    mutating func satisfy(_ j: Int, template d: Int) {
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


    mutating func skipDownstream(of root: Int) -> [Int] {
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
