import Journal
import Steps

/// The loop itself: admit what is ready, journal, launch, take one result, update the plan of
/// work, repeat. Runs in one task, so `SchedulerState` needs no lock.
///
/// Records it queues — `started` for newly admitted steps, `done`/`failed`/`skipped`/`waiting`
/// for results — go to the store one group at a time (`JournalBatcher`); when a group is durable,
/// the loop launches the steps whose `started` it held and completes those whose `done` it held.
/// So a step acts only after its `started` is durable and nothing depending on it starts before
/// its `done` is, while a thousand transitions cost one flush and one suspension, not one each.
struct RunLoop: Sendable {
    struct Outcome: Sendable {
        var report: RunReport
        var preview: DryRunPreview
        var fatal: String?
    }

    let scheduler: SchedulerState
    let attempt: StepAttempt
    let control: RunControl
    let observer: (any RunObserver)?
    let admission: AdmissionGuard

    func run() async -> Outcome {
        var state = scheduler
        let graph = state.graph
        var ledger = RunLedger(graph: graph, observer: observer, admission: admission, dryRun: attempt.dryRun)
        var journal = JournalBatcher(store: attempt.dryRun ? nil : attempt.store)
        var window = AdmissionWindow(cap: state.parallel, parallel: attempt.slotsParallel)
        // Admitted steps, materialised once (expanding parameters and hashing a fingerprint).
        var inFlight: [Int: StepInstance] = [:]
        var running = 0
        var announcedStop = false
        await withTaskGroup(of: StepResult.self) { group in
            func perform(_ action: FlushAction) {
                switch action {
                case .launch(let i):
                    running += 1
                    let step = inFlight[i] ?? graph.step(i)
                    attempt.slots.announce()
                    group.addTask { await attempt.run(step) }
                case .complete(let i):
                    if let (skipped, cause) = state.complete(i) { ledger.noteSkipped(skipped, cause: graph.stepID(cause), journal: &journal) }
                }
            }
            var mayAdmit: Bool { !control.isStopping && ledger.fatal == nil }

            while true {
                if mayAdmit {
                    while window.hasRoom, let i = state.popReady() {
                        window.admit()
                        let step = ledger.admit(graph.step(i))
                        inFlight[i] = step
                        if let now = journal.enqueue(.started(step, attempt: 1), then: .launch(i)) { perform(now) }
                    }
                } else if !announcedStop, window.admitted > 0 {
                    announcedStop = true
                    observer?.handle(.stopping(reason: ledger.fatal ?? "waiting for \(window.admitted) running steps"))
                }
                if ledger.fatal == nil, let flush = journal.startFlush() {
                    group.addTask {
                        do {
                            try await flush.store.append(flush.records)
                            return .flushed(flush.then)
                        } catch {
                            return .flushFailed(String(describing: error), flush.then)
                        }
                    }
                }
                if running == 0 && !journal.flushing { break }
                guard let result = await group.next() else { break }
                switch result {
                case .flushed(let then):
                    journal.flushEnded()
                    let (acting, waiting) = attempt.slots.occupancy
                    window.adapt(acting: acting, waitingForSlots: waiting, parallel: attempt.slotsParallel)
                    for action in then {
                        guard case .launch(let i) = action, !mayAdmit else {
                            perform(action)
                            continue
                        }
                        // Durably started but not begun: put it back, so it reads as pending.
                        window.returned()
                        state.release(i)
                        journal.note([.released(inFlight.removeValue(forKey: i) ?? graph.step(i))])
                    }
                case .flushFailed(let message, let lost):
                    ledger.fatal = ledger.fatal ?? message
                    for i in journal.abandon(lost) {
                        window.returned()
                        state.release(i)
                        inFlight[i] = nil
                    }
                default:
                    running -= 1
                    window.returned()
                    guard let i = result.stepIndex else { continue }
                    let step = inFlight.removeValue(forKey: i) ?? graph.step(i)
                    if let now = ledger.record(result, of: step, state: &state, journal: &journal) { perform(now) }
                }
            }
            if ledger.fatal == nil {
                do { try await journal.finish() } catch { ledger.fatal = String(describing: error) }
            }
            attempt.book.countTransitions(journal.transitions)
        }
        return Outcome(report: ledger.finished(state, stopping: control.isStopping), preview: ledger.preview, fatal: ledger.fatal)
    }
}
