/// How `mailbox.verify` proves an import whole. The plan's default is `digest`; the compiler
/// always sets it, so no driver carries a default of its own.
public enum VerifyMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The store holds as many messages as the source.
    case count
    /// Every source message's canonical digest is in the store exactly as often.
    case digest
}

/// What `source.retire` does with a verified source mailbox.
public enum RetireMode: String, Sendable, Hashable, Codable, CaseIterable {
    case keep, archive, delete
}

/// Who owns a `.forward` that forward.divert/restore write. sendmail ignores a `.forward` not
/// owned by its user, so the plan's default is the mail user; `unchanged` leaves the file owned
/// by the account mailshift runs as (a lab whose users are not system users).
public enum ForwardFileOwner: String, Sendable, Hashable, Codable, CaseIterable {
    case mailUser = "mail_user"
    case unchanged
}
