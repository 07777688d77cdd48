import Diagnostics

/// Whether retrying can help.
public enum FailureDisposition: String, Sendable, Hashable, Codable {
    /// Timeouts, connection refused, server busy: retry with backoff.
    case transient
    /// Wrong data, missing entry, permission denied: retrying cannot help.
    case permanent
}

/// An error a driver throws, classified for the executor. Drivers define their own typed errors
/// (an LDAP result code, an mbox error with a byte offset) and conform them here.
public protocol StepFailure: Error, Sendable {
    var disposition: FailureDisposition { get }
    /// One line for the status report, naming what failed (user, DN, file and offset, host).
    var summary: String { get }
    /// How to fix it, if known.
    var hint: String? { get }
    /// The host, user, file and byte it concerns, where the driver knows them (the executor adds
    /// the step).
    var subject: RunSubject? { get }
    /// A stable code for the kind of failure (`mailbox.changed-since-verify`), printed and
    /// journaled so tools can tell failures apart without parsing the summary.
    var diagnosticCode: DiagnosticCode { get }
}

extension StepFailure {
    public var hint: String? { nil }
    public var subject: RunSubject? { nil }
    public var diagnosticCode: DiagnosticCode { StepError.genericCode }
}

/// A ready-made `StepFailure` for drivers that need no richer type.
public struct StepError: StepFailure, Hashable, CustomStringConvertible {
    public var disposition: FailureDisposition
    public var summary: String
    public var hint: String?

    public init(_ disposition: FailureDisposition, _ summary: String, hint: String? = nil) {
        self.disposition = disposition
        self.summary = summary
        self.hint = hint
    }

    public static func permanent(_ summary: String, hint: String? = nil) -> StepError {
        StepError(.permanent, summary, hint: hint)
    }

    public static func transient(_ summary: String, hint: String? = nil) -> StepError {
        StepError(.transient, summary, hint: hint)
    }

    public var description: String { summary }

    /// The code of a failure whose driver gives none.
    public static let genericCode: DiagnosticCode = "run.step-failed"
}
