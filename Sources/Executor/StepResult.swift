import Journal
import Steps

/// How one launched step came back to the run loop (which journals it: see `RunLoop`).
enum StepResult: Sendable {
    case applied(Int, StepOutputs)
    /// Inspect found the effect in place; outputs are what the step had checkpointed.
    case alreadyDone(Int, StepOutputs)
    /// A gate approved in the journal (`approved`) or by the plan (`auto-approved`).
    case gatePassed(Int, how: String)
    case failed(Int, FailureNote)
    /// A batch-wide step's part failed for these users only (`UsersSetAside`).
    case setAside(Int, FailureNote, users: Set<String>)
    case waiting(Int, String)
    case interrupted(Int)
    /// Admitted but not begun: the run is stopping or the batch passed `max_failures`.
    case notStarted(Int)
    /// A checkpoint could not be journaled.
    case journalFailed(Int, String)
    /// Dry-run: what `inspect` found; with a failure note when inspecting itself failed.
    case previewed(Int, Inspection, FailureNote? = nil)
    /// Loop-internal: a group of records became durable; now do these.
    case flushed([FlushAction])
    case flushFailed(String, [FlushAction])

    /// How the observer hears of it.
    var outcome: StepOutcome {
        switch self {
        case .applied, .gatePassed: .applied
        case .alreadyDone: .alreadyDone
        case .failed, .setAside: .failed
        case .waiting: .waiting
        case .interrupted, .journalFailed, .notStarted, .flushed, .flushFailed: .interrupted
        case .previewed: .previewed
        }
    }

    /// The step this result is about (nil for the loop's own flush results).
    var stepIndex: Int? {
        switch self {
        case .applied(let i, _), .alreadyDone(let i, _), .gatePassed(let i, _), .failed(let i, _), .setAside(let i, _, _),
            .waiting(let i, _),
            .interrupted(let i), .notStarted(let i), .journalFailed(let i, _), .previewed(let i, _, _):
            i
        case .flushed, .flushFailed: nil
        }
    }
}

/// What the loop does once the records it queued are durable.
enum FlushAction: Sendable {
    /// Its `started` record is durable: the step may act.
    case launch(Int)
    /// Its `done` record is durable: dependents may start.
    case complete(Int)
}

/// A journal append failed: the run must stop (a transition that is not durable must not be acted on).
struct JournalWriteFailure: Error {
    var message: String
}
