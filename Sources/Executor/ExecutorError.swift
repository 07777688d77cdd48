import Journal

/// Why a run could not start or go on.
public enum ExecutorError: Error, Sendable, CustomStringConvertible {
    /// The plan changed where work that cannot be undone already happened.
    case pastPointOfNoReturn(PlanChange)
    /// A journal append failed: the run stopped rather than act on a transition it could not record.
    case journalWrite(String)

    public var description: String {
        switch self {
        case .pastPointOfNoReturn(let change):
            "the plan changed past a point of no return:\n"
                + change.refusals.map { "  \($0)" }.joined(separator: "\n")
        case .journalWrite(let message): "the journal could not be written, so the run stopped: \(message)"
        }
    }

    public var hint: String? {
        switch self {
        case .pastPointOfNoReturn:
            "restore the plan's previous definition of those steps, or start a new run with another --state"
        case .journalWrite: "free disk space or fix the state directory's permissions, then `mailshift resume`"
        }
    }
}
