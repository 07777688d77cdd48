import Diagnostics
import Journal
import Steps

/// What the loop learns as steps come back: the report, the preview, whether the run was
/// interrupted or must stop (`fatal`); and, per result, the scheduler update and the records
/// to journal.
struct RunLedger {
    let graph: StepGraph
    let observer: (any RunObserver)?
    let admission: AdmissionGuard
    let dryRun: Bool
    var report = RunReport(outcome: .completed)
    var preview = DryRunPreview()
    /// A journal append failed: nothing more may be acted on.
    var fatal: String?
    private(set) var interrupted = false
    /// Batches whose stop the observer has been told of.
    var reportedStops = Set<Int>()
    /// Step → the users it was launched without.
    private var launchedWithout: [Int: Set<String>] = [:]

    init(graph: StepGraph, observer: (any RunObserver)?, admission: AdmissionGuard, dryRun: Bool) {
        self.graph = graph
        self.observer = observer
        self.admission = admission
        self.dryRun = dryRun
    }

    /// The step as it is launched: a batch-wide step leaves out its batch's set-aside users.
    mutating func admit(_ step: StepInstance) -> StepInstance {
        // The batch's users set aside so far in this run.
        guard let batch = step.batch, let out = report.setAside[batch], !step.users.isEmpty else { return step }
        let left = Set(step.users).intersection(out)
        guard !left.isEmpty else { return step }
        var narrowed = step
        narrowed.users = ArraySlice(step.users.filter { !left.contains($0) })
        launchedWithout[step.index] = left
        return narrowed
    }

    /// Applies one step's result; returns what to do now (without a journal) or nil (queued).
    mutating func record(_ result: StepResult, of step: StepInstance, state: inout SchedulerState, journal: inout JournalBatcher)
        -> FlushAction?
    {
        guard let i = result.stepIndex else { return nil }
        state.release(i)
        // Done for everyone it ran for, but it left users out: not done for the batch (a resume
        // runs it again for all), and those users' steps after it are skipped.
        if let left = launchedWithout.removeValue(forKey: i) {
            switch result {
            case .applied, .alreadyDone:
                let parts = left.map { UsersSetAside.Part(user: $0, reason: "set aside earlier in this run") }
                let note = FailureNote(
                    stepID: step.id, transient: false, summary: UsersSetAside(parts).summary,
                    hint: "fix the earlier failures, then `mailshift resume` runs this step again for every user",
                    subject: RunSubject(stepID: step.id, host: step.host?.name))
                recordFailure(note, of: step, setAside: left, state: &state, journal: &journal)
                return nil
            default: break
            }
        }
        switch result {
        case .applied(_, let outputs):
            report.applied += 1
            return journal.enqueue(.done(step, how: "applied", outputs: outputs, at: CompletionTime.now()), then: .complete(i))
        case .alreadyDone(_, let outputs):
            report.alreadyDone += 1
            return journal.enqueue(.done(step, how: "found", outputs: outputs, at: CompletionTime.now()), then: .complete(i))
        case .gatePassed(_, let how):
            report.applied += 1
            return journal.enqueue(.done(step, how: how, outputs: [:], at: CompletionTime.now()), then: .complete(i))
        case .previewed(_, let inspection, let failure):
            preview.add(step, inspection: inspection)
            // A step the live systems would not let us inspect makes the preview fail (exit 2).
            if let failure { report.failures.append(failure) }
            // In a preview every step counts as done so that all of them get inspected.
            _ = state.complete(i)
        case .waiting(_, let message):
            state.wait(i)
            report.gates.append(RunReport.Gate(stepID: step.id, message: message))
            journal.note([.waiting(step, message: message)])
        case .interrupted:
            interrupted = true
        case .notStarted:
            journal.note([.released(step)])
        case .journalFailed(_, let message):
            fatal = fatal ?? message
        case .failed(_, let note):
            // A batch member's own step: only that user is set aside.
            let user = step.batch != nil ? step.user.map { Set([$0]) } : nil
            recordFailure(note, of: step, setAside: user, state: &state, journal: &journal)
        case .setAside(_, let note, let users):
            recordFailure(note, of: step, setAside: users, state: &state, journal: &journal)
        case .flushed, .flushFailed:
            break
        }
        return nil
    }
}
