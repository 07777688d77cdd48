import Diagnostics
import Steps

/// A directory operation that failed, naming the operation, user and DN; the executor's
/// transient/permanent split comes from the result code (or the kind of lookup failure).
public struct LDAPFailure: StepFailure, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The server (or libldap) answered with this code.
        case result(LDAPResultCode)
        /// The user filter matched no entry under the base.
        case noEntry
        /// The user filter matched several entries (their count).
        case ambiguous(Int)
        /// The TLS handshake failed (certificate not trusted, wrong host): retrying cannot help.
        case tls
        /// The step or plan is unusable (missing directory, bad `set` entry, a password that
        /// cannot be had safely: see `secret`).
        case configuration
    }

    public var reason: Reason
    /// What was being done: `bind`, `search`, `modify`, `starttls`, ...
    public var operation: String
    /// The server's diagnostic message, if any (never holds a secret: we send none back).
    public var message: String
    public var user: String?
    public var dn: String?
    /// How many more users failed the same way in the same batch.
    public var others: Int
    /// Why the bind password could not be used (unset, unreadable, readable by others).
    public var secret: SecretError?

    public init(_ reason: Reason, operation: String, message: String = "", user: String? = nil, dn: String? = nil,
                others: Int = 0, secret: SecretError? = nil) {
        self.reason = reason
        self.operation = operation
        self.message = message
        self.user = user
        self.dn = dn
        self.others = others
        self.secret = secret
    }

    public var code: LDAPResultCode? {
        if case .result(let c) = reason { return c }
        return nil
    }

    public var subject: RunSubject? { user.map { RunSubject(user: $0) } }

    public var diagnosticCode: DiagnosticCode {
        switch reason {
        case .result: "ldap.result"
        case .noEntry: "ldap.no-entry"
        case .ambiguous: "ldap.ambiguous"
        case .tls: "ldap.tls"
        case .configuration: "ldap.configuration"
        }
    }

    public var disposition: FailureDisposition {
        if case .result(let c) = reason, c.isTransient { return .transient }
        return .permanent
    }

    public var summary: String {
        var who = ""
        if let user { who += " user \(user)" }
        if let dn { who += " (\(dn))" }
        let what: String
        switch reason {
        case .result(let c): what = c.description
        case .noEntry: what = "no entry matches the user filter"
        case .ambiguous(let n): what = "\(n) entries match the user filter, expected one"
        case .tls: what = "TLS handshake failed"
        case .configuration: what = secret?.description ?? "unusable configuration"
        }
        var line = "ldap \(operation)\(who): \(what)"
        if !message.isEmpty { line += ": \(message)" }
        if others > 0 { line += " (and \(others) more)" }
        return line
    }

    public var hint: String? {
        switch reason {
        case .noEntry: "check directory.base and directory.user_filter, or remove the user from the batch"
        case .ambiguous: "make directory.user_filter match exactly one entry per user"
        case .tls: "give directory.ca_file for the server's CA (tls_verify: false only for a lab)"
        case .result(let c) where c == .insufficientAccessRights: "give directory.bind_dn write access to these attributes"
        case .result(let c) where c == .invalidCredentials: "check directory.bind_dn and the password source"
        case .result(let c) where c.isTransient: "the directory is unreachable or busy; the step will be retried"
        case .configuration where secret != nil: secret?.hint
        default: nil
        }
    }

    public var description: String { summary }
}
