import Steps

/// How a run goes: apply or preview, limits, which batches, and the values never to journal.
public struct RunOptions: Sendable {
    public enum Mode: String, Sendable { case apply, dryRun = "dry-run" }

    public var mode: Mode
    /// Overrides `graph.policy.parallel` (`--parallel N`).
    public var parallel: Int?
    /// Run only these batches (and what they depend on). Empty: all.
    public var onlyBatches: Set<String>
    /// `run` or `resume`, journaled with the session.
    public var sessionName: String
    /// Secret values (resolved passwords): replaced by `[redacted]` in outputs, errors and logs.
    public var secrets: [String]

    public init(
        mode: Mode = .apply, parallel: Int? = nil, onlyBatches: Set<String> = [], sessionName: String = "run",
        secrets: [String] = []
    ) {
        self.mode = mode
        self.parallel = parallel
        self.onlyBatches = onlyBatches
        self.sessionName = sessionName
        self.secrets = secrets
    }
}
