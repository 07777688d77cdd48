/// What the reader knows about a message once its header section is read.
public struct MboxMessageHead: Sendable, Hashable {
    /// Byte offset of the message's From_ line in the mailbox: its identity within the file.
    public var offset: Int
    public var from: FromLine
    public var flags: MaildirFlags
    /// 0-based position among the delivered messages (pseudo-messages not counted).
    public var index: Int
    /// The Content-Length that delimited the body, when one was valid and the variant uses it.
    public var contentLength: Int?
}

/// Receives a mailbox's messages as the reader streams them.
///
/// The buffers passed are valid only during the call. Generic (not existential) so the per-chunk
/// calls are direct.
public protocol MboxConsumer {
    /// A message begins. `headers` are the kept header bytes, mbox-only headers removed, including
    /// the empty line that ends them. Return false to skip the body bytes (they are still counted).
    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool
    /// The next body bytes, exactly as they are to be stored.
    mutating func body(_ bytes: UnsafeRawBufferPointer) throws
    /// The message ended. `storedBytes` counts headers and body as stored; `endOffset` is where
    /// the message's bytes end in the mailbox.
    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws
}

/// A consumer that only counts: used to validate a mailbox before anything is written.
public struct MboxTally: MboxConsumer, Sendable {
    public var messages = 0
    public var bytes = 0
    public var firstDate: Int?
    public var lastDate: Int?
    /// Messages per Maildir flag letter, plus `new` and `old`.
    public var flagCounts: [String: Int] = [:]

    public init() {}

    public mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        firstDate = min(firstDate ?? head.from.date, head.from.date)
        lastDate = max(lastDate ?? head.from.date, head.from.date)
        for ch in head.flags.letters { flagCounts[String(ch), default: 0] += 1 }
        flagCounts[head.flags.inCur ? "cur" : "new", default: 0] += 1
        return false
    }

    public mutating func body(_ bytes: UnsafeRawBufferPointer) throws {}

    public mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        messages += 1
        bytes += storedBytes
    }
}
