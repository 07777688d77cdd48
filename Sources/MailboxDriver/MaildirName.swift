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
        // Our names are ASCII: parsed as bytes (the window lists every file of a Maildir, and
        // Foundation's string search was a sixth of the delta's time). Anything else takes the
        // character-wise reading, which decides exactly as before.
        var text = fileName
        switch text.withUTF8({ Self.parseASCII($0) }) {
        case .name(let n): self = n
        case .notOurs: return nil
        case .notASCII: self.init(characters: fileName)
        }
    }

    enum ASCIIParse {
        case name(MaildirName)
        case notOurs
        case notASCII
    }

    static let marker = Array(".mailshift,S=".utf8)

    static func parseASCII(_ b: UnsafeBufferPointer<UInt8>) -> ASCIIParse {
        guard !b.contains(where: { $0 >= 0x80 }) else { return .notASCII }
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }
        let n = b.count, k = marker.count
        var m = 0
        while m + k <= n, !(b[m] == 0x2E && marker.indices.allSatisfy { b[m + $0] == marker[$0] }) { m += 1 }
        guard m + k <= n else { return .notOurs }
        guard let dot = b[0..<m].firstIndex(of: 0x2E), let date = Int(text(0..<dot)) else { return .notOurs }
        guard dot + 1 < m, b[dot + 1] == UInt8(ascii: "M"), let us = b[(dot + 1)..<m].lastIndex(of: 0x5F) else { return .notOurs }
        let tag = text((dot + 2)..<us)
        var end = m + k
        while end < n, (0x30...0x39).contains(b[end]) { end += 1 }
        guard !tag.isEmpty, let size = Int(text((m + k)..<end)) else { return .notOurs }
        var flags = MaildirFlags()
        var i = m + k
        while i + 3 <= n, !(b[i] == 0x3A && b[i + 1] == 0x32 && b[i + 2] == 0x2C) { i += 1 }
        if i + 3 <= n { flags = MaildirFlags(letters: text((i + 3)..<n), old: true) }
        return .name(MaildirName(date: date, tag: tag, digest: text((us + 1)..<m), size: size, flags: flags))
    }

    /// The character-wise reading (names that are not ASCII).
    init?(characters fileName: String) {
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
