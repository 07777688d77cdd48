import Diagnostics
import Glibc
import Steps

/// Why a mailbox step stopped, as a value: which mailbox, archive or host, what was wrong, and
/// how to go on. Every case but a busy agent (exit 75) is permanent: the same file gives the
/// same answer on a retry.
public struct MailboxFailure: StepFailure, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The source is not the file verify saw: another size, inode or mtime (`grewBy` bytes).
        case changedSinceVerify(grewBy: Int)
        /// Same size and mtime, but its first or last 4 KiB differ: rewritten in place.
        case rewrittenSinceVerify
        /// The source is gone and so is the archive it would have been moved to.
        case vanished(archive: String)
        /// The directory holding the file is gone.
        case directoryGone
        /// The archive path already holds a file.
        case archiveExists
        /// A system call failed while archiving (`during` names it).
        case archiveFailed(during: String, errorNumber: Int32)
        /// The command store counted more new messages than the mailbox holds.
        case storeCountGrew(by: Int, messages: Int)
        /// The command store's `count_argv` printed no number (`command`).
        case storeCountUnreadable(command: String)
        /// The mailbox's owner has no account on the host that writes the store.
        case unknownOwner(String)
        /// The mailshift agent on a host exited non-zero running `command`.
        case agentFailed(command: String, status: Int32, stderrTail: String)
        /// The agent's answer could not be read (`detail`).
        case agentUnreadable(detail: String)
        /// The agent on the host is another version.
        case agentVersion(found: String, status: Int32, expected: String, executable: String, address: String)
    }

    public var reason: Reason
    /// The mailbox, archive or Maildir concerned.
    public var file: String?
    /// The plan's name for the host, when the failure happened on one.
    public var host: String?

    public init(_ reason: Reason, file: String? = nil, host: String? = nil) {
        self.reason = reason
        self.file = file
        self.host = host
    }

    public var disposition: FailureDisposition {
        if case .agentFailed(_, 75, _) = reason { return .transient }
        return .permanent
    }

    public var summary: String {
        let path = file ?? ""
        switch reason {
        case .changedSinceVerify(let grew):
            return "refusing to retire \(path): it changed since verify (\(grew >= 0 ? "+" : "")\(grew) bytes)"
        case .rewrittenSinceVerify:
            return "refusing to retire \(path): its first or last 4 KiB changed since verify (size and mtime kept)"
        case .vanished(let archive): return "\(path) is gone and \(archive) does not exist"
        case .directoryGone: return "\(path): its directory is gone"
        case .archiveExists: return "\(path) already exists; refusing to overwrite an archived mailbox"
        case .archiveFailed(let during, let e): return "archive \(path): \(during)\(String(cString: strerror(e)))"
        case .storeCountGrew(let by, let messages):
            return "store count grew by \(by), the mailbox has \(messages) messages"
        case .storeCountUnreadable(let command): return "count command `\(command)` printed no count"
        case .unknownOwner(let owner): return "owner '\(owner)' is not a user on this host"
        case .agentFailed(let command, let status, let tail):
            return "\(host ?? "?"): mailshift \(command) exited \(status): \(tail)"
        case .agentUnreadable(let detail): return "\(host ?? "?"): cannot read the agent's answer (\(detail))"
        case .agentVersion(let found, let status, let expected, _, _):
            return "\(host ?? "?"): mailshift agent version '\(found)' (exit \(status)), expected '\(expected)'"
        }
    }

    public var hint: String? {
        switch reason {
        case .changedSinceVerify:
            "new mail arrived: re-run the import and verify for this user, then retire"
        case .rewrittenSinceVerify:
            "the mailbox was rewritten in place: re-run the import and verify for this user, then retire"
        case .vanished: "find where the mailbox went before resuming; nothing was deleted by this step"
        case .archiveExists: "move the earlier archive aside, or choose another archive_dir"
        case .archiveFailed: "check space and permissions of archive_dir; the source is kept until the archive is whole"
        case .storeCountGrew: "something else delivered into the store during the import; check the store, then verify again"
        case .storeCountUnreadable: "count_argv must print the store's message count as its first number"
        case .unknownOwner: "create the account on the store host, or set the source's owner"
        case .agentUnreadable: "is the same mailshift version installed there?"
        case .agentVersion(_, _, let expected, let executable, let address):
            "install mailshift \(expected) at \(executable) on \(address) (docs/hosts.md)"
        case .directoryGone, .agentFailed: nil
        }
    }

    public var diagnosticCode: DiagnosticCode {
        switch reason {
        case .changedSinceVerify: "mailbox.changed-since-verify"
        case .rewrittenSinceVerify: "mailbox.rewritten-since-verify"
        case .vanished: "mailbox.vanished"
        case .directoryGone: "file.directory-gone"
        case .archiveExists: "mailbox.archive-exists"
        case .archiveFailed: "mailbox.archive-failed"
        case .storeCountGrew: "store.count-grew"
        case .storeCountUnreadable: "store.count-unreadable"
        case .unknownOwner: "mailbox.unknown-owner"
        case .agentFailed: "agent.failed"
        case .agentUnreadable: "agent.protocol"
        case .agentVersion: "agent.version-mismatch"
        }
    }

    public var subject: RunSubject? { RunSubject(host: host, file: file) }
    public var description: String { summary }
}
