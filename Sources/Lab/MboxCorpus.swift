import Digest
import Foundation

/// A deterministic-by-seed generator of mailboxes in every mbox variant, with a manifest of what
/// each message must become once imported (its stored bytes' SHA-256, flags and date).
///
/// Used by `mailshift lab`, by the mailbox tests and by `mailshift-bench mailbox`. The same seed
/// and options always give the same bytes. Messages carry Status/X-Status flags, X-UID and
/// X-Keywords headers, attachments, `From ` lines in bodies (escaped as the variant requires;
/// under Solaris some are valid From_ lines, protected by Content-Length), optionally a few large
/// messages, a UW-IMAP pseudo-message, CRLF line endings and a last message without a newline.
public struct MboxCorpus: Sendable {
    /// The variant to write (raw values match the plan's `format:` values).
    public enum Variant: String, Sendable, Hashable, Codable, CaseIterable {
        case mboxo, mboxrd, mboxcl, mboxcl2, solaris
        var hasContentLength: Bool { self == .mboxcl || self == .mboxcl2 || self == .solaris }
        var escapesFrom: Bool { self == .mboxo || self == .mboxcl }
    }

    public struct Options: Sendable, Hashable {
        public var seed: UInt64
        public var messages: Int
        public var variant: Variant
        /// Average size of an ordinary message's body, bytes.
        public var averageBodyBytes: Int
        /// How many messages (spread through the file) get a large attachment of `largeBytes`.
        public var largeMessages: Int
        public var largeBytes: Int
        /// One message in `attachmentEvery` carries a base64 attachment.
        public var attachmentEvery: Int
        /// From_ dates are written in this zone's local time (as Solaris does), without a zone,
        /// except that non-Solaris files give some lines an explicit numeric zone.
        public var timeZone: TimeZone
        public var crlf: Bool
        public var lastWithoutNewline: Bool
        /// Put a UW-IMAP "FOLDER INTERNAL DATA" pseudo-message first (not in the manifest).
        public var folderInternalData: Bool
        /// One message in `badContentLengthEvery` gets a wrong Content-Length (0 = none).
        public var badContentLengthEvery: Int
        /// Compute each message's SHA-256 for the manifest (benchmarks may skip it).
        public var digests: Bool

        public init(
            seed: UInt64 = 1, messages: Int = 50, variant: Variant = .mboxrd, averageBodyBytes: Int = 2000,
            largeMessages: Int = 0, largeBytes: Int = 1 << 20, attachmentEvery: Int = 7,
            timeZone: TimeZone = TimeZone(identifier: "UTC")!, crlf: Bool = false, lastWithoutNewline: Bool = false,
            folderInternalData: Bool = false, badContentLengthEvery: Int = 0, digests: Bool = true
        ) {
            self.seed = seed
            self.messages = messages
            self.variant = variant
            self.averageBodyBytes = averageBodyBytes
            self.largeMessages = largeMessages
            self.largeBytes = largeBytes
            self.attachmentEvery = attachmentEvery
            self.timeZone = timeZone
            self.crlf = crlf
            self.lastWithoutNewline = lastWithoutNewline
            self.folderInternalData = folderInternalData
            self.badContentLengthEvery = badContentLengthEvery
            self.digests = digests
        }
    }

    /// What one message must become.
    public struct Message: Sendable, Hashable, Codable {
        public var index: Int
        /// Byte offset of its From_ line.
        public var offset: Int
        /// Seconds since the epoch (the From_ line's date).
        public var date: Int
        /// Maildir flag letters in ASCII order.
        public var flags: String
        /// True when it belongs in `cur/`.
        public var inCur: Bool
        /// SHA-256 (hex) of the bytes a Maildir file must hold; empty when digests were skipped.
        public var sha256: String
        public var storedBytes: Int
    }

    public struct Manifest: Sendable, Hashable, Codable {
        public var variant: Variant
        public var fileBytes: Int
        public var messages: [Message]
        public var storedBytes: Int { messages.reduce(0) { $0 + $1.storedBytes } }
    }

    /// Writes one mailbox to `path` and returns its manifest.
    public static func write(to path: String, options: Options) throws -> Manifest {
        var out = try CorpusFileWriter(path: path)
        var gen = CorpusMessageBuilder(options: options)
        var messages: [Message] = []
        messages.reserveCapacity(options.messages)
        if options.folderInternalData { try out.write(gen.folderInternalData()) }
        for i in 0..<options.messages {
            let built = gen.message(i, last: i == options.messages - 1)
            var stored = Message(
                index: i, offset: out.offset, date: built.date, flags: built.flags, inCur: built.inCur, sha256: "",
                storedBytes: built.stored.count)
            if options.digests { stored.sha256 = SHA256.hash(built.stored).hexString }
            try out.write(built.file)
            messages.append(stored)
        }
        try out.close()
        return Manifest(variant: options.variant, fileBytes: out.offset, messages: messages)
    }
}
