import SystemCalls

/// Why a journal cannot be used, with what to do about it.
public enum JournalError: Error, Sendable, CustomStringConvertible {
    /// A group of lines in the middle of the journal is damaged or forged (not a torn tail).
    case corrupt(path: String, line: Int, offset: Int)
    /// The file is not a mailshift journal, or a newer format.
    case unreadable(path: String, reason: String)
    /// Another executor holds the lock, or a dead one left it.
    case locked(path: String, holder: LockHolder, liveness: LockHolder.Liveness)
    /// `unlock --force` refused: the holder is alive.
    case holderAlive(path: String, holder: LockHolder)
    /// An OS call failed.
    case io(path: String, operation: String, errno: Int32)
    /// The journal belongs to another plan.
    case otherPlan(path: String, journalPlan: String, plan: String)
    /// The state directory or a file in it could have been written by someone else.
    case untrusted(path: String, problem: TrustProblem)
    /// A journal from before keyed checksums: anyone who could write it could have forged it.
    case unkeyed(path: String)

    public var description: String {
        switch self {
        case .corrupt(let path, let line, let offset):
            "\(path): the lines from line \(line) (byte \(offset)) are damaged or do not match their seal, and lines "
                + "follow them: this is not a torn write"
        case .unreadable(let path, let reason): "\(path): not a usable mailshift journal: \(reason)"
        case .locked(let path, let holder, let liveness):
            switch liveness {
            case .alive: "\(path) is locked by a running executor: \(holder)"
            case .dead: "\(path) is locked by an executor that is no longer running: \(holder)"
            case .unknown: "\(path) is locked by an executor on another host: \(holder)"
            }
        case .holderAlive(let path, let holder): "\(path): the lock holder is still running: \(holder)"
        case .io(let path, let operation, let errno): "\(path): \(operation) failed: \(Errno(errno).description)"
        case .otherPlan(let path, let journalPlan, let plan):
            "\(path) is the journal of plan '\(journalPlan)', not '\(plan)'"
        case .untrusted(let path, let problem): "\(path) cannot be trusted: it \(problem)"
        case .unkeyed(let path):
            "\(path) was written by an older mailshift with an unkeyed checksum: its records cannot be verified"
        }
    }

    public var hint: String? {
        switch self {
        case .corrupt:
            "it was damaged, or changed by someone without its key (see docs/security.md): move the state directory "
                + "aside and check by hand what already ran before starting over"
        case .unreadable: "point --state at another directory"
        case .locked(_, _, .alive): "wait for it to finish, or stop it with Ctrl-C (it leaves a resumable journal)"
        case .locked: "if no executor is running for this plan, break the lock with `mailshift unlock PLAN --force`"
        case .holderAlive: "stop that executor first (Ctrl-C or kill -TERM its pid)"
        case .io: nil
        case .otherPlan: "use --state to give each plan its own journal"
        case .untrusted(let path, let problem): problem.hint(for: path)
        case .unkeyed:
            "finish or roll back this migration with the mailshift release that started it; to start over, move "
                + "the state directory aside (every step then runs again, so first check by hand what already ran)"
        }
    }
}
