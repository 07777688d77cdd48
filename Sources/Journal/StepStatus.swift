import Diagnostics
import Steps
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

/// A failure as journaled: enough for `status` and `resume` to explain it as the run did, with
/// its code, hint and the host, user and file (with byte) it concerns.
public struct FailureNote: Sendable, Hashable {
    public var stepID: String
    public var transient: Bool
    public var summary: String
    public var hint: String?
    public var subject: RunSubject?
    public var code: DiagnosticCode

    public init(stepID: String, transient: Bool, summary: String, hint: String?, subject: RunSubject? = nil,
        code: DiagnosticCode = FailureNote.genericCode)
    {
        self.stepID = stepID
        self.transient = transient
        self.summary = summary
        self.hint = hint
        self.subject = subject
        self.code = code
    }

    /// A failure a driver threw, addressed by its step. `redact` keeps secrets out of what is
    /// printed and journaled.
    public init(stepID: String, host: String?, user: String?, error: any Error, redact: (String) -> String = { $0 }) {
        let failure = error as? any StepFailure
        self.init(
            stepID: stepID, transient: failure?.disposition == .transient,
            summary: redact(failure?.summary ?? String(describing: error)), hint: failure?.hint.map(redact),
            subject: RunSubject(stepID: stepID, host: host, user: user).filling(from: failure?.subject),
            code: failure?.diagnosticCode ?? FailureNote.genericCode)
    }

    /// The code of a failure whose driver gave none (and of journals written before codes were).
    public static let genericCode = StepError.genericCode

    public var disposition: FailureDisposition { transient ? .transient : .permanent }

    /// The failure as a diagnostic addressed by its step (the renderer prints the address, so a
    /// summary that starts with the step id loses that prefix).
    public var diagnostic: Diagnostic {
        let place = RunSubject(stepID: stepID).filling(from: subject)
        var message = place.trimmed(summary)
        if transient { message += " (transient, retries exhausted)" }
        return .error(code, message, hint: hint, subject: place)
    }
}
