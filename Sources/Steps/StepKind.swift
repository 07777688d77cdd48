/// What a step does; each kind is implemented by one driver (see DESIGN.md section 4).
public enum StepKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Replace directory attributes for every user of a batch (pipelined). Batch scope.
    case ldapSet = "ldap.set"
    /// Run an argv on a host once (or once per user with `per_user`). Batch or single scope.
    case command
    /// Stop a service and wait until its `running` check says it stopped.
    case serviceStop = "service.stop"
    /// Start a service and wait until its `running` check says it runs.
    case serviceStart = "service.start"
    /// Write each batch user's `~/.forward` so new mail is saved aside. Batch scope.
    case forwardDivert = "forward.divert"
    /// Put back each batch user's previous `~/.forward` (from the divert step's outputs). Batch scope.
    case forwardRestore = "forward.restore"
    /// Copy one user's spool mailbox into the store. Per user.
    case mailboxImport = "mailbox.import"
    /// Prove one user's import is whole (count, or per-message digests). Per user.
    case mailboxVerify = "mailbox.verify"
    /// Import the mail saved aside during the move (forward: the saved mbox). Per user.
    case savedImport = "saved.import"
    /// Import a native hold spool directory for one user. Per user.
    case holdRelease = "hold.release"
    /// Keep, archive or delete a source mailbox; only after its verify passed. Per user. Irreversible.
    case sourceRetire = "source.retire"
    /// Wait for a person's approval (`mailshift approve`), recorded in the journal.
    case gate
    /// The plan's "the new system is working" command, before a batch's irreversible steps.
    case workingCheck = "working.check"
    /// Create the missing directory entries of a batch's users from the plan's template. Batch scope.
    case ldapCreate = "ldap.create"
    /// Delete one user on the host the plan names (`services.deluser`). Per user. Irreversible.
    case userDelete = "user.delete"

    /// True for kinds that destroy information a rollback would need.
    public var isIrreversible: Bool { self == .sourceRetire || self == .userDelete }
}
