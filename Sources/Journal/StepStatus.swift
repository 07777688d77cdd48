import Diagnostics
/// Where a step stands according to the journal (last record wins).
public enum StepStatus: UInt8, Sendable, Hashable, Codable, CaseIterable {
    /// No record, or reset by a plan change: will run.
    case pending
    /// Began applying and did not finish (crash, kill): will be inspected again, then applied.
    case started
    case done
    case failed
    /// A dependency failed.
    case skipped
    /// A gate waiting for `mailshift approve`.
    case waiting

    public var word: String {
        switch self {
        case .pending: "pending"
        case .started: "started"
        case .done: "done"
        case .failed: "failed"
        case .skipped: "skipped"
        case .waiting: "waiting"
        }
    }
}

/// A failure as journaled: enough for `status` to explain it. (The host, user and file of a
/// failure seen in this run are kept too; the journal records the step, the summary and the hint.)
public struct FailureNote: Sendable, Hashable {
    public var stepID: String
    public var transient: Bool
    public var summary: String
    public var hint: String?
    public var subject: RunSubject?

    public init(stepID: String, transient: Bool, summary: String, hint: String?, subject: RunSubject? = nil) {
        self.stepID = stepID
        self.transient = transient
        self.summary = summary
        self.hint = hint
        self.subject = subject
    }

    /// The failure as a diagnostic addressed by its step (the renderer prints the address, so a
    /// summary that starts with the step id loses that prefix).
    public var diagnostic: Diagnostic {
        let place = RunSubject(stepID: stepID).filling(from: subject)
        var message = place.trimmed(summary)
        if transient { message += " (transient, retries exhausted)" }
        return .error("run.step-failed", message, hint: hint, subject: place)
    }
}
