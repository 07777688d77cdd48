/// One preflight check's verdict: what was checked, and each place it fails, with a fix.
/// `mailshift preflight` and the dry-run print these before any step runs.
public struct PreflightCheck: Sendable, Hashable, Codable {
    public struct Problem: Sendable, Hashable, Codable {
        /// The user, host or file it concerns.
        public var subject: String
        public var reason: String
        public var hint: String?
        public init(subject: String, reason: String, hint: String? = nil) {
            self.subject = subject
            self.reason = reason
            self.hint = hint
        }
    }

    /// `directory.bind`, `directory.entries`, `directory.schema`, `forward.homes`,
    /// `store.space`, `commands`, `mailbox.variants`.
    public var check: String
    /// What was looked at (counts, reads made), whether or not it passed.
    public var detail: String
    public var problems: [Problem]
    /// A check that could not be made (e.g. on an ssh host) is not a failure, but says so.
    public var skipped: Bool

    public var ok: Bool { problems.isEmpty }

    public init(_ check: String, detail: String, problems: [Problem] = [], skipped: Bool = false) {
        self.check = check
        self.detail = detail
        self.problems = problems
        self.skipped = skipped
    }
}
