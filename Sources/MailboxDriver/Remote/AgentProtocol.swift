import Foundation

/// The `mailshift agent` protocol (version 1), spoken over an ssh session's stdin and stdout.
///
/// 1. The agent writes one hello line (`AgentHello`, JSON); the orchestrator refuses a version
///    other than its own before sending anything.
/// 2. The orchestrator writes one request line (`AgentRequest`, JSON).
/// 3. A source request (`read-mailbox`, `source-digests`) answers with frames (`AgentFrame`) on
///    stdout, ending with a summary or a failure frame. A store request (`write-maildir`,
///    `verify-maildir`) reads such frames from stdin, relayed by the orchestrator from a source
///    agent, and answers with one JSON result line.
///
/// JSON for the few small control messages (readable, extensible); length-prefixed binary frames
/// for the message stream, so mail bytes are never escaped and the relay copies them without
/// parsing their content.
public enum AgentProtocol {
    /// Raised on any incompatible change to the requests, frames or results.
    public static let version = 1
    /// Largest JSON line read (hello, request, result): results carry at most bounded lists.
    static let lineLimit = 4 << 20
    /// Largest frame payload: a message's header section (the reader's own limit) and its head.
    public static let frameLimit = MboxReader.headerLimit + 4096
    /// Most messages a digest list may carry (bounds the store agent's memory).
    static let messageLimit = 20_000_000
}

/// The agent's first line.
public struct AgentHello: Codable, Sendable, Hashable {
    public var agent: String
    public var protocolVersion: Int
    /// mailshift's own version (`mailshift --version`): both ends must run the same build.
    public var version: String

    public init(version: String) {
        agent = "mailshift"
        protocolVersion = AgentProtocol.version
        self.version = version
    }

    enum CodingKeys: String, CodingKey { case agent, protocolVersion = "protocol", version }
}

/// One request: which operation, and the plan's paths and reading options for it.
public struct AgentRequest: Codable, Sendable, Hashable {
    public enum Operation: String, Codable, Sendable {
        /// Source host: stream a spool mailbox's messages, under its spool lock.
        case readMailbox = "read-mailbox"
        /// Source host: stream each message's offset, tag and canonical digest.
        case sourceDigests = "source-digests"
        /// Store host: write a relayed message stream into a Maildir.
        case writeMaildir = "write-maildir"
        /// Store host: compare a relayed digest stream with the Maildir.
        case verifyMaildir = "verify-maildir"
        /// Source host: stream the mailbox file's bytes as they are (for a store's import command).
        case readFile = "read-file"
        /// Source host: stream a hold spool directory as one mboxrd file (for a store's import command).
        case readHold = "read-hold"
        /// Store host: keep a relayed file in a private temporary copy and run the site's import
        /// command on it (`argv`, where `mbox` or `{mbox}` within an argument names the copy).
        case importCommand = "import-command"
        /// Store host: import a relayed hold spool (`read-hold`'s mboxrd file) into a Maildir,
        /// skipping messages it already holds.
        case releaseHeld = "release-held"
    }

    public var op: Operation
    public var mbox: String?
    public var maildir: String?
    public var variant: String?
    public var timezone: String?
    public var ifAmbiguous: String?
    public var lock: Bool?
    /// Login owning written files (applied when the agent runs as root).
    public var owner: String?
    /// `count` or `digest` (source-digests and verify-maildir).
    public var mode: String?
    public var tagPrefix: String?
    /// write-maildir: skip messages whose digest the Maildir already holds (saved mail).
    public var deduplicate: Bool?
    /// import-command: the plan's import argv (run without a shell).
    public var argv: [String]?
    /// import-command: seconds the import command may run (the plan's limit; bounded by the agent).
    public var timeout: Int?

    public init(op: Operation) { self.op = op }

    enum CodingKeys: String, CodingKey {
        case op, mbox, maildir, variant, timezone, ifAmbiguous = "if_ambiguous", lock, owner, mode, tagPrefix = "tag_prefix", deduplicate, argv, timeout
    }
}

/// What a source agent says about the mailbox it streamed: the last frame of a good stream.
public struct SourceSummary: Codable, Sendable, Hashable {
    public var file: String
    public var variant: String
    public var detected: Bool
    /// `inode:size:mtime_ns` as read, or `absent`.
    public var source: String
    /// SHA-256 of the first and last 4 KiB as read (`-` when absent): retire checks them too.
    public var edges: String
    public var messages: Int
    public var bytes: Int
    public var skippedInternal: Int
    public var warningCount: Int
    public var warnings: [String]
    public var firstDate: Int?
    public var lastDate: Int?

    enum CodingKeys: String, CodingKey {
        case file, variant, detected, source, edges, messages, bytes, skippedInternal = "skipped_internal"
        case warningCount = "warning_count", warnings, firstDate = "first_date", lastDate = "last_date"
    }
}

/// A refusal or failure an agent reports (a failure frame, or the JSON result of a store request).
public struct AgentFailure: Codable, Sendable, Hashable, Error {
    public var message: String
    public var hint: String?
    /// True when retrying may help (a lock held, a disk that filled).
    public var transient: Bool

    public init(message: String, hint: String? = nil, transient: Bool = false) {
        self.message = message
        self.hint = hint
        self.transient = transient
    }
}

/// A store agent's answer: exactly one of the fields is set.
public struct StoreAnswer: Codable, Sendable {
    public var imported: MboxImportReport?
    public var verified: MailboxVerify.Report?
    public var command: CommandReport?
    public var failure: AgentFailure?

    public init(imported: MboxImportReport? = nil, verified: MailboxVerify.Report? = nil, command: CommandReport? = nil, failure: AgentFailure? = nil) {
        self.imported = imported
        self.verified = verified
        self.command = command
        self.failure = failure
    }
}

/// What the site's import command did on the store host.
public struct CommandReport: Codable, Sendable, Hashable {
    public var status: Int32
    /// The last bytes it wrote on stderr.
    public var stderrTail: String
    /// Bytes of the mailbox copy it was given.
    public var bytes: Int

    enum CodingKeys: String, CodingKey { case status, stderrTail = "stderr_tail", bytes }
}
