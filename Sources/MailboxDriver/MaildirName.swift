/// mailshift's deterministic Maildir file names.
///
/// `<date>.M<tag>_<key>.mailshift,S=<size>[:2,<flags>]`: `date` is the message date (the
/// From_ line's), `tag` names the message within its source (`m<offset>-<header hash>` for a
/// spool mailbox, `s…` for a saved mailbox, `h<hash>` for a hold spool file; see `MessageTag`),
/// `key` is the message's canonical XXH64 (16 hex), and `,S=` is Dovecot's size field. The same source message always
/// gets the same name, so an interrupted import re-run finds what it already wrote.
public struct MaildirName: Sendable, Hashable {
    public var date: Int
    public var tag: String
    /// The canonical message key (XXH64, 16 hex).
    public var digest: String
    public var size: Int
    public var flags: MaildirFlags

    public init(date: Int, tag: String, digest: String, size: Int, flags: MaildirFlags) {
        self.date = date
        self.tag = tag
        self.digest = digest
        self.size = size
        self.flags = flags
    }

    public var base: String { "\(date).M\(tag)_\(digest).mailshift,S=\(size)" }
    public var fileName: String { flags.inCur ? "\(base):2,\(flags.letters)" : base }
    public var subdirectory: String { flags.inCur ? "cur" : "new" }

    /// Parses one of our names; nil for any other Maildir file.
    public init?(fileName: String) {
        guard let marker = fileName.range(of: ".mailshift,S=") else { return nil }
        let unique = fileName[..<marker.lowerBound]
        guard let dot = unique.firstIndex(of: "."), let date = Int(unique[..<dot]) else { return nil }
        let rest = unique[unique.index(after: dot)...]
        guard rest.first == "M", let us = rest.lastIndex(of: "_") else { return nil }
        let tag = String(rest[rest.index(after: rest.startIndex)..<us])
        let digest = String(rest[rest.index(after: us)...])
        let after = fileName[marker.upperBound...]
        let sizeText = after.prefix { $0.isNumber }
        guard !tag.isEmpty, let size = Int(sizeText) else { return nil }
        var flags = MaildirFlags()
        if let info = after.range(of: ":2,") {
            flags = MaildirFlags(letters: String(after[info.upperBound...]), old: true)
        }
        self.init(date: date, tag: tag, digest: digest, size: size, flags: flags)
    }
}
