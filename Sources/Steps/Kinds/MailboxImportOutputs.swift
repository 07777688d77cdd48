/// What `mailbox.import` journals, and what `mailbox.verify` reads back from it: counts, the
/// variant the import used (verify reads alike), the source's identity, and for a command store
/// the store's count before the import (verify compares the growth).
public struct MailboxImportOutputs: Sendable, Hashable, Codable {
    public var messages: Int
    public var bytes: Int?
    public var imported: Int?
    public var importedBytes: Int?
    public var present: Int?
    public var duplicates: Int?
    public var variant: String?
    public var detected: Bool?
    public var digestSummary: String?
    /// `inode:size:mtime_ns` of the source as read, or `absent`.
    public var sourceIdentity: String
    public var warnings: Int?
    public var maildir: String?
    public var firstDate: Int?
    public var lastDate: Int?
    public var countBefore: Int?
    public var countAfter: Int?

    public init(messages: Int, sourceIdentity: String) {
        self.messages = messages
        self.sourceIdentity = sourceIdentity
    }

    enum CodingKeys: String, CodingKey {
        case messages, bytes, imported, importedBytes = "imported_bytes", present, duplicates, variant, detected
        case digestSummary = "digest_summary", sourceIdentity = "source_identity", warnings, maildir
        case firstDate = "first_date", lastDate = "last_date", countBefore = "count_before", countAfter = "count_after"
    }
}
