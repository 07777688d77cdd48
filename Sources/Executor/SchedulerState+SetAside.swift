import Journal
import Steps

/// One user's failure does not stall a batch: the failed step's own user chain is skipped, and
/// everything else of the batch downstream goes on as if it had completed (batch-wide steps then
/// run without the set-aside users, see `RunLedger.admit`). Steps outside the batch — later
/// batches that wait for it (a pilot), global steps after it — are skipped as after any failure:
/// they assume the batch done.
extension SchedulerState {
    /// `i` failed for `users` only (a per-user step's user, or the parts of a batch-wide step
    /// that failed or were left out): marks it failed, skips the steps of `users` downstream of
    /// it, and lets the others proceed. Returns the skipped steps.
    mutating func setAside(_ i: Int, users: Set<String>) -> [Int] {
        status[i] = .failed
        var skipped: [Int] = []
        note(users, in: graph.locate(i).template, cause: i)
        pass(from: i, cause: i, &skipped)
        return skipped
    }

    private mutating func note(_ users: Set<String>, in t: Int, cause: Int) {
        if setAsideUsers[t] == nil { setAsideUsers[t] = (users, cause) } else { setAsideUsers[t]!.users.formUnion(users) }
    }

    /// A template with set-aside users has nothing left to run: its `.all` dependents go on
    /// without those users.
    mutating func finishTemplate(_ t: Int, _ users: Set<String>, _ skipped: inout [Int]) {
        let cause = setAsideUsers[t]?.cause ?? t
        for d in allDependents[t] {
            for j in graph.steps(ofTemplate: d) {
                reach(j, template: d, users, batch: graph.templates[t].batch, cause: cause, &skipped)
            }
        }
    }

    /// Counts `i` as finished for its dependents (its template's `.all` dependents fire when the
    /// template has nothing left to run).
    private mutating func pass(from i: Int, cause: Int, _ skipped: inout [Int]) {
        let (t, ordinal) = graph.locate(i)
        let users = setAsideUsers[t]?.users ?? []
        let batch = graph.templates[t].batch
        templateRemaining[t] -= 1
        for d in sameDependents[t] {
            let j = graph.offsets[d] + ordinal
            guard j < graph.offsets[d + 1] else { continue }
            reach(j, template: d, users, batch: batch, cause: cause, &skipped)
        }
        if templateRemaining[t] == 0 { finishTemplate(t, users, &skipped) }
    }

    private mutating func reach(
        _ j: Int, template d: Int, _ users: Set<String>, batch: Int?, cause: Int, _ skipped: inout [Int]
    ) {
        let pending = status[j] == .pending || status[j] == .started
        guard batch != nil, graph.templates[d].batch == batch else {
            // Outside the batch: skipped with everything after it.
            guard pending else { return }
            status[j] = .skipped
            skipped.append(j)
            skipped += skipDownstream(of: j)
            return
        }
        guard let user = graph.user(ofStep: j), users.contains(user) else {
            satisfy(j, template: d)
            return
        }
        // A set-aside user's step: skipped once (other paths reach it too), then passed on.
        guard pending else { return }
        status[j] = .skipped
        skipped.append(j)
        note([user], in: d, cause: cause)
        pass(from: j, cause: cause, &skipped)
    }
}
