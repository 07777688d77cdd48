import Diagnostics

/// A batch-wide step did its work for every user but these: each one's part failed (a missing
/// entry, a forbidden attribute, a `.forward` turned into a link), or was left out because the
/// user was set aside earlier in the run. The executor records the step failed, skips only
/// these users' own steps downstream and lets the rest of the batch go on; a resume runs the
/// step again for everyone (drivers are idempotent), which retries these users.
///
/// A driver throws it after checkpointing what it did for the others.
public struct UsersSetAside: StepFailure {
    public struct Part: Sendable, Hashable {
        public var user: String
        public var reason: String
        public init(user: String, reason: String) {
            self.user = user
            self.reason = reason
        }
    }

    public var parts: [Part]
    public var hint: String?
    /// Users named in the summary before it counts the rest.
    static let named = 20

    public init(_ parts: [Part], hint: String? = nil) {
        self.parts = parts.sorted { $0.user < $1.user }
        self.hint = hint
    }

    /// From driver failures, keyed by user (the first failure's hint is the step's).
    public init(failures: [(user: String, failure: any StepFailure)]) {
        self.init(failures.map { Part(user: $0.user, reason: $0.failure.summary) }, hint: failures.first?.failure.hint)
    }

    public var users: Set<String> { Set(parts.map(\.user)) }
    public var disposition: FailureDisposition { .permanent }
    public var diagnosticCode: DiagnosticCode { "run.users-set-aside" }

    public var summary: String { describe("set aside, the rest of the batch went on") }
    /// For a preview: what a run would do.
    public var forecast: String { describe("would be set aside, the rest of the batch would go on") }

    private func describe(_ what: String) -> String {
        let listed = parts.prefix(Self.named).map { "\($0.user) (\($0.reason))" }.joined(separator: "; ")
        let more = parts.count > Self.named ? "; and \(parts.count - Self.named) more" : ""
        return "\(parts.count) user\(parts.count == 1 ? "" : "s") \(what): \(listed)\(more)"
    }
}
