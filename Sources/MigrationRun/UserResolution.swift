/// Where each `users_from` batch's user list comes from when a run is prepared.
public enum UserResolution: Sendable {
    /// Only lists the journal holds (status, approve, rollback, unlock: nothing is searched).
    case journaled
    /// Journaled lists stand; batches without one (or whose filter changed) are searched (resume).
    case searchMissing
    /// Every batch is searched again (a new run, a dry-run).
    case searchAll
}
