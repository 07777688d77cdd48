import Journal
import Steps

/// The ledger's failure side and its verdict: a failed step is journaled and reported, the users
/// or steps it takes down are skipped, a batch past `max_failures` is announced once; when the
/// loop ends, the outcome follows from what was recorded.
extension RunLedger {
    mutating func recordFailure(_ note: FailureNote, of step: StepInstance, setAside users: Set<String>?,
        state: inout SchedulerState, journal: inout JournalBatcher)
    {
        report.failures.append(note)
        journal.note([.failed(step, note)])
        let skipped: [Int]
        if let users, let batch = step.batch {
            report.setAside[batch, default: []].formUnion(users)
            skipped = state.setAside(step.index, users: users)
        } else {
            skipped = state.fail(step.index)
        }
        noteSkipped(skipped, cause: note.stepID, journal: &journal)
        for s in admission.stoppedBatches where !reportedStops.contains(s.batch) {
            reportedStops.insert(s.batch)
            observer?.handle(.batchStopped(batch: graph.batches[s.batch].name, failures: s.failures, limit: s.limit))
        }
    }

    /// Steps that can no longer run because of `cause`: counted, observed, journaled.
    mutating func noteSkipped(_ skipped: [Int], cause: String, journal: inout JournalBatcher) {
        guard !skipped.isEmpty else { return }
        report.skipped += skipped.count
        observer?.handle(.skipped(count: skipped.count, cause: cause))
        journal.note(skipped.map { .skipped(graph.step($0), cause: cause) })
    }

    /// The report once the loop is over: stopped batches, steps not run, and the outcome.
    func finished(_ state: SchedulerState, stopping: Bool) -> RunReport {
        var r = report
        r.stoppedBatches = admission.stoppedBatches.map {
            RunReport.StoppedBatch(batch: graph.batches[$0.batch].name, failures: $0.failures, limit: $0.limit)
        }
        let notRun = state.status.reduce(0) { $0 + ($1 == .pending || $1 == .started ? 1 : 0) }
        r.notRun = dryRun ? 0 : notRun
        if (stopping || interrupted) && notRun > 0 && !dryRun {
            r.outcome = .interrupted
        } else if !r.failures.isEmpty || !r.stoppedBatches.isEmpty {
            r.outcome = .failed
        } else if !r.gates.isEmpty {
            r.outcome = .awaitingApproval
        } else {
            r.outcome = .completed
        }
        return r
    }
}
