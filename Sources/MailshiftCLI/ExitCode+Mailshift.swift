import ArgumentParser

/// Exit codes, documented in the README. Scripts depend on them: never renumber.
extension ExitCode {
    /// The plan has errors (check, graph, run before starting).
    public static let planInvalid = ExitCode(1)
    /// The run finished but some steps failed (and their dependents were skipped).
    public static let stepsFailed = ExitCode(2)
    /// The run stopped at a gate that needs `mailshift approve`.
    public static let awaitingApproval = ExitCode(3)
    /// The run was interrupted (SIGINT/SIGTERM); the journal is resumable.
    public static let interrupted = ExitCode(4)
    /// Another executor holds the journal's lock, or the journal cannot be used.
    public static let journalUnavailable = ExitCode(5)
    /// Usage error (bad flags), as ArgumentParser reports it.
    public static let usage = ExitCode(64)
}
