import Journal
import Steps

/// The loop itself: admit what is ready, journal, launch, take one result, update the plan of
/// work, repeat. Runs in one task, so `SchedulerState` needs no lock.
///
/// The loop does the journaling (group commit at the loop level): records it queues — `started`
/// for newly admitted steps, `done`/`failed`/`skipped`/`waiting` for results — go to the store in
/// one append at a time, made by a child task; when that append returns (durable), the loop
/// launches the steps whose `started` it held and completes those whose `done` it held. So a step
/// acts only after its `started` is durable and nothing depending on it starts before its `done`
/// is, while a thousand transitions cost one flush and one suspension, not one each.
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
        let store = dryRun ? nil : attempt.store
        var interrupted = false
        await withTaskGroup(of: StepResult.self) { group in
            var admitted = 0  // admitted steps not yet returned (queued, flushing or running)
            var running = 0  // step tasks in the group
            var queued: [JournalRecord] = []
            var actions: [FlushAction] = []
            var flushing = false
            var transitions = 0
            var announcedStop = false
            var reported = Set<Int>()
            // Admitted steps, materialised once (expanding parameters and hashing a fingerprint).
            var inFlight: [Int: StepInstance] = [:]
            // The admission window adapts to where steps wait: it doubles while slots are free and
            // nothing waits for one (quick steps: the journal is the bottleneck, so bigger groups)
            // and halves while steps wait for slots (slow steps: do not journal steps as started
            // long before a slot frees). Between 2 × parallel and the scheduler's cap.
            let minimumWindow = min(state.parallel, 2 * attempt.slotsParallel)
            var window = minimumWindow

            /// Queues a record and what to do once it is durable (at once without a journal).
            func enqueue(_ record: JournalRecord?, then action: FlushAction?) -> FlushAction? {
                guard store != nil else { return action }
                if let record { queued.append(record) }
                if let action { actions.append(action) }
                return nil
            }

            func perform(_ action: FlushAction) {
                switch action {
                case .launch(let i):
                    running += 1
                    let step = inFlight[i] ?? graph.step(i)
                    attempt.slots.announce()
                    group.addTask { await attempt.run(step) }
                case .complete(let i):
                    state.complete(i)
                }
            }

            while true {
                if control.isStopping || outcome.fatal != nil {
                    if !announcedStop, admitted > 0 {
                        announcedStop = true
                        observer?.handle(.stopping(reason: outcome.fatal ?? "waiting for \(admitted) running steps"))
                    }
                } else {
                    while admitted < window, let i = state.popReady() {
                        admitted += 1
                        let step = graph.step(i)
                        inFlight[i] = step
                        let record: JournalRecord? = store == nil ? nil : .started(step, attempt: 1)
                        if let now = enqueue(record, then: .launch(i)) { perform(now) }
                    }
                }
                if let store, !flushing, !queued.isEmpty, outcome.fatal == nil {
                    let records = queued
                    let then = actions
                    queued = []
                    actions = []
                    flushing = true
                    transitions += records.count
                    group.addTask {
                        do {
                            try await store.append(records)
                            return .flushed(then)
                        } catch {
                            return .flushFailed(String(describing: error), then)
                        }
                    }
                }
                if running == 0 && !flushing { break }
                guard let result = await group.next() else { break }
                switch result {
                case .flushed(let then):
                    flushing = false
                    let (acting, waitingForSlots) = attempt.slots.occupancy
                    // Grow only when the window is what limits admission (not at a barrier).
                    if waitingForSlots == 0 && acting < attempt.slotsParallel && admitted >= window {
                        window = min(state.parallel, window * 2)
                    } else if waitingForSlots > 0 {
                        window = max(minimumWindow, window / 2)
                    }
                    for action in then {
                        if case .launch(let i) = action, control.isStopping || outcome.fatal != nil {
                            // Durably started but not begun: put it back, so it reads as pending.
                            admitted -= 1
                            state.release(i)
                            queued.append(.released(inFlight.removeValue(forKey: i) ?? graph.step(i)))
                            continue
                        }
                        perform(action)
                    }
                    continue
                case .flushFailed(let message, let lost):
                    flushing = false
                    outcome.fatal = outcome.fatal ?? message
                    for case .launch(let i) in lost + actions {
                        admitted -= 1
                        state.release(i)
                        inFlight[i] = nil
                    }
                    queued = []
                    actions = []
                    continue
                default:
                    break
                }
                running -= 1
                admitted -= 1
                let finished: StepInstance? = {
                    switch result {
                    case .applied(let i, _), .alreadyDone(let i, _), .gatePassed(let i, _), .failed(let i, _),
                        .waiting(let i, _), .interrupted(let i), .notStarted(let i), .journalFailed(let i, _),
                        .previewed(let i, _, _):
                        return inFlight.removeValue(forKey: i)
                    case .flushed, .flushFailed: return nil
                    }
                }()
                func instance(_ i: Int) -> StepInstance { finished ?? graph.step(i) }
                switch result {
                case .applied(let i, let outputs):
                    state.release(i)
                    outcome.report.applied += 1
                    if let now = enqueue(.done(instance(i), how: "applied", outputs: outputs), then: .complete(i)) {
                        perform(now)
                    }
                case .alreadyDone(let i, let outputs):
                    state.release(i)
                    outcome.report.alreadyDone += 1
                    if let now = enqueue(.done(instance(i), how: "found", outputs: outputs), then: .complete(i)) {
                        perform(now)
                    }
                case .gatePassed(let i, let how):
                    state.release(i)
                    outcome.report.applied += 1
                    if let now = enqueue(.done(instance(i), how: how, outputs: [:]), then: .complete(i)) {
                        perform(now)
                    }
                case .previewed(let i, let inspection, let failure):
                    state.release(i)
                    let step = instance(i)
                    outcome.preview.add(batch: step.batch, index: i, stepID: step.id, inspection: inspection)
                    // A step the live systems would not let us inspect makes the preview fail (exit 2).
                    if let failure { outcome.report.failures.append(failure) }
                    // In a preview every step counts as done so that all of them get inspected.
                    state.complete(i)
                case .waiting(let i, let message):
                    state.release(i)
                    state.wait(i)
                    outcome.report.gates.append(RunReport.Gate(stepID: graph.stepID(i), message: message))
                    _ = enqueue(.waiting(instance(i), message: message), then: nil)
                case .interrupted(let i):
                    state.release(i)
                    interrupted = true
                case .notStarted(let i):
                    state.release(i)
                    _ = enqueue(.released(instance(i)), then: nil)
                case .journalFailed(let i, let message):
                    state.release(i)
                    outcome.fatal = outcome.fatal ?? message
                case .failed(let i, let note):
                    state.release(i)
                    outcome.report.failures.append(note)
                    let step = instance(i)
                    _ = enqueue(.failed(step, disposition: note.transient ? .transient : .permanent,
                        summary: note.summary, hint: note.hint), then: nil)
                    let skipped = state.fail(i)
                    if !skipped.isEmpty {
                        outcome.report.skipped += skipped.count
                        observer?.handle(.skipped(count: skipped.count, cause: note.stepID))
                        if store != nil { queued += skipped.map { .skipped(graph.step($0), cause: note.stepID) } }
                    }
                    for s in admission.stoppedBatches where !reported.contains(s.batch) {
                        reported.insert(s.batch)
                        observer?.handle(.batchStopped(batch: graph.batches[s.batch].name, failures: s.failures,
                            limit: s.limit))
                    }
                case .flushed, .flushFailed:
                    break
                }
            }
            // Records that no action waits for (released, waiting) are flushed on the way out.
            if let store, !queued.isEmpty, outcome.fatal == nil {
                transitions += queued.count
                do { try await store.append(queued) } catch { outcome.fatal = String(describing: error) }
            }
            attempt.book.countTransitions(transitions)
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
