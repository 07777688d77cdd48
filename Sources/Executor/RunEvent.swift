import Steps

/// What a run reports as it goes, for progress displays and logs.
public enum RunEvent: Sendable {
    /// The run begins: steps per batch to do (not yet done) and already done.
    case began(batches: [BatchProgress])
    case stepStarted(index: Int, stepID: String, batch: String?)
    case stepFinished(index: Int, stepID: String, batch: String?, outcome: StepOutcome)
    case retrying(stepID: String, attempt: Int, delay: Double, reason: String)
    case log(stepID: String, line: String)
    /// Steps skipped because `cause` failed.
    case skipped(count: Int, cause: String)
    case batchStopped(batch: String, failures: Int, limit: Int)
    case stopping(reason: String)
}

/// How one step ended in this run.
public enum StepOutcome: String, Sendable {
    case applied, alreadyDone = "already-done", failed, waiting, interrupted, previewed
}

/// Per-batch counts at the start of a run (steps outside any batch count under "-").
public struct BatchProgress: Sendable, Hashable {
    public var name: String
    public var total: Int
    public var done: Int

    public init(name: String, total: Int, done: Int) {
        self.name = name
        self.total = total
        self.done = done
    }
}

/// Receives events; called from many tasks at once, so it must be thread-safe and quick.
public protocol RunObserver: Sendable {
    func handle(_ event: RunEvent)
}
