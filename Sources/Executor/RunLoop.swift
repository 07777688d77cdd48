import Journal
import Steps

/// The loop itself: launch what is ready within the limits, take one completion, update the
/// plan of work, repeat. Runs in one task, so `SchedulerState` needs no lock.
struct RunLoop: Sendable {
    struct Outcome: Sendable {
        var report: RunReport
        var preview = DryRunPreview()
        var fatal: String?
    }

    let scheduler: SchedulerState
    let attempt: StepAttempt
    let control: RunControl
    let observer: (any RunObserver)?
    let batchOrder: [String]
    let admission: AdmissionGuard

    func run() async -> Outcome {
        var state = scheduler
        var outcome = Outcome(report: RunReport(outcome: .completed))
        outcome.preview.declare(batches: batchOrder)
        let graph = state.graph
        let dryRun = attempt.dryRun
        var interrupted = false
        await withTaskGroup(of: StepResult.self) { group in
            var running = 0
            var announcedStop = false
            var reported = Set<Int>()
            while true {
                if control.isStopping || outcome.fatal != nil {
                    if !announcedStop, running > 0 {
                        announcedStop = true
                        observer?.handle(.stopping(reason: outcome.fatal ?? "waiting for \(running) running steps"))
                    }
                } else {
                    while running < state.parallel, let i = state.popReady() {
                        running += 1
                        group.addTask { await attempt.run(i) }
                    }
                }
                if running == 0 { break }
                guard let result = await group.next() else { break }
                running -= 1
                switch result {
                case .applied(let i):
                    state.release(i)
                    state.complete(i)
                    outcome.report.applied += 1
                case .alreadyDone(let i):
                    state.release(i)
                    state.complete(i)
                    outcome.report.alreadyDone += 1
                case .previewed(let i, let inspection):
                    state.release(i)
                    let step = graph.step(i)
                    outcome.preview.add(batch: step.batch, index: i, stepID: step.id, inspection: inspection)
                    // In a preview every step counts as done so that all of them get inspected.
                    state.complete(i)
                case .waiting(let i, let message):
                    state.release(i)
                    state.wait(i)
                    outcome.report.gates.append(RunReport.Gate(stepID: graph.stepID(i), message: message))
                case .interrupted(let i):
                    state.release(i)
                    interrupted = true
                case .notStarted(let i):
                    state.release(i)
                case .journalFailed(let i, let message):
                    state.release(i)
                    outcome.fatal = outcome.fatal ?? message
                case .failed(let i, let note):
                    state.release(i)
                    outcome.report.failures.append(note)
                    let skipped = state.fail(i)
                    if !skipped.isEmpty {
                        outcome.report.skipped += skipped.count
                        observer?.handle(.skipped(count: skipped.count, cause: note.stepID))
                        if !dryRun {
                            do {
                                try await attempt.journal(skipped.map { .skipped(graph.step($0), cause: note.stepID) })
                            } catch {
                                outcome.fatal = outcome.fatal ?? String(describing: error)
                            }
                        }
                    }
                    for s in admission.stoppedBatches where !reported.contains(s.batch) {
                        reported.insert(s.batch)
                        observer?.handle(.batchStopped(batch: graph.batches[s.batch].name, failures: s.failures,
                            limit: s.limit))
                    }
                }
            }
        }
        outcome.report.stoppedBatches = admission.stoppedBatches.map {
            RunReport.StoppedBatch(batch: graph.batches[$0.batch].name, failures: $0.failures, limit: $0.limit)
        }
        var notRun = 0
        for s in state.status where s == .pending || s == .started { notRun += 1 }
        outcome.report.notRun = dryRun ? 0 : notRun
        let r = outcome.report
        if (control.isStopping || interrupted) && notRun > 0 && !dryRun {
            outcome.report.outcome = .interrupted
        } else if !r.failures.isEmpty || !r.stoppedBatches.isEmpty {
            outcome.report.outcome = .failed
        } else if !r.gates.isEmpty {
            outcome.report.outcome = .awaitingApproval
        } else {
            outcome.report.outcome = .completed
        }
        return outcome
    }
}
