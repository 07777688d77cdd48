/// What `mailbox.verify` journals when it passes, and what `source.retire` requires before it
/// touches a source: `passed`, for the source identity verify saw.
public struct MailboxVerifyOutputs: Sendable, Hashable, Codable {
    public var passed: Bool
    public var mode: VerifyMode
    public var messages: Int
    public var destinationMessages: Int
    /// `inode:size:mtime_ns` of the source verify read, or `absent`.
    public var sourceIdentity: String
    public var digestSummary: String?
    /// A digest of the source's first and last 4 KiB as verify's read saw them (two-host path):
    /// retire also refuses a source rewritten in place with its size and mtime kept.
    public var sourceEdges: String?

    public init(passed: Bool, mode: VerifyMode, messages: Int, destinationMessages: Int, sourceIdentity: String, digestSummary: String? = nil) {
        self.passed = passed
        self.mode = mode
        self.messages = messages
        self.destinationMessages = destinationMessages
        self.sourceIdentity = sourceIdentity
        self.digestSummary = digestSummary
    }

    enum CodingKeys: String, CodingKey {
        case passed, mode, messages, destinationMessages = "destination_messages", sourceIdentity = "source_identity"
        case digestSummary = "digest_summary", sourceEdges = "source_edges"
    }
}
