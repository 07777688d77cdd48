import Journal
import Steps

/// How a run ended, for the CLI's summary and exit code.
public struct RunReport: Sendable {
    public enum Outcome: String, Sendable {
        /// Every selected step is done (or, for a dry-run, was inspected).
        case completed
        /// Some steps failed; their dependents were skipped.
        case failed
        /// Nothing failed, but a gate waits for `mailshift approve`.
        case awaitingApproval = "awaiting-approval"
        /// SIGINT/SIGTERM (or `RunControl`) stopped the run; the journal is resumable.
        case interrupted
    }

    public struct Gate: Sendable, Hashable {
        public var stepID: String
        public var message: String
    }

    public struct StoppedBatch: Sendable, Hashable {
        public var batch: String
        public var failures: Int
        public var limit: Int
    }

    public var outcome: Outcome
    /// Steps applied in this run.
    public var applied = 0
    /// Steps found done (journal or inspect) in this run.
    public var alreadyDone = 0
    /// Root-cause failures, in the order they happened.
    public var failures: [FailureNote] = []
    public var skipped = 0
    /// Batch → users set aside (their own failure or a part of a batch-wide step): the rest of
    /// the batch went on without them.
    public var setAside: [String: Set<String>] = [:]
    /// Steps left pending (not selected, a stopped batch, behind a gate, or interrupted).
    public var notRun = 0
    public var gates: [Gate] = []
    public var stoppedBatches: [StoppedBatch] = []
    public var preview: DryRunPreview?
    public var seconds: Double = 0
    /// Journal records written.
    public var transitions = 0

    public init(outcome: Outcome) { self.outcome = outcome }
}
