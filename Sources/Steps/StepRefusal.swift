import Diagnostics

/// A step that refuses to act on what it was given: a parameter the plan should have fixed, an
/// earlier step that has not passed, or an apply during a dry-run. Permanent: a retry gets the
/// same inputs. The executor adds the step id; the summary says what, the hint how to fix it.
public struct StepRefusal: StepFailure, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// A parameter whose value cannot be used (`expected` says what would do).
        case invalidParameter(key: String, value: String, expected: String)
        /// A parameter the step needs and the plan left empty.
        case missingParameter(key: String)
        /// An irreversible action (`action`) whose verify step has not passed.
        case notVerified(verifyStep: String, action: String)
        /// An earlier step whose journaled record this one needs is missing (`what` it lacks).
        case missingRecord(step: String, what: String)
        /// `apply` reached during a dry-run: nothing was changed.
        case applyDuringDryRun
        /// No runner for the step's kind in this build.
        case noDriver(kind: String)
        /// This build cannot do what the step needs (`what`).
        case unsupported(String)
    }

    public var reason: Reason
    /// The host or file concerned, when the step knows it.
    public var subject: RunSubject?

    public init(_ reason: Reason, subject: RunSubject? = nil) {
        self.reason = reason
        self.subject = subject
    }

    public var disposition: FailureDisposition { .permanent }

    public var summary: String {
        switch reason {
        case .invalidParameter(let key, let value, let expected):
            "parameter `\(key)` is '\(TerminalSafeText.escape(value))': \(expected)"
        case .missingParameter(let key): "parameter `\(key)` is empty"
        case .notVerified(let verifyStep, let action): "refusing to \(action): \(verifyStep) has not passed"
        case .missingRecord(let step, let what): "\(step) \(what)"
        case .applyDuringDryRun: "apply called during a dry-run; nothing was changed"
        case .noDriver(let kind): "no driver for \(kind)"
        case .unsupported(let what): "this build of mailshift cannot \(what)"
        }
    }

    public var hint: String? {
        switch reason {
        case .invalidParameter, .missingParameter: "set it in the plan; `mailshift check PLAN` shows where"
        case .notVerified: "run the import and its verify first; nothing irreversible acts on an unverified mailbox"
        case .missingRecord(let step, _): "run or resume the plan so that \(step) completes first"
        case .noDriver(let kind): "this build of mailshift cannot run \(kind) steps"
        case .applyDuringDryRun, .unsupported: nil
        }
    }

    public var diagnosticCode: DiagnosticCode {
        switch reason {
        case .invalidParameter: "step.invalid-parameter"
        case .missingParameter: "step.missing-parameter"
        case .notVerified: "step.not-verified"
        case .missingRecord: "step.missing-record"
        case .applyDuringDryRun: "step.dry-run-apply"
        case .noDriver, .unsupported: "step.unsupported"
        }
    }

    public var description: String { summary }
}
