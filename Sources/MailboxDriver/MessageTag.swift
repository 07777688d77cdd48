import Digest

/// A message's name within its source, as written into Maildir names (`MaildirName.tag`).
///
/// `<prefix><byte offset>-<header hash>`: the offset says where the message is; the hash of its
/// stored header bytes (Message-ID, Date, … all included) makes sure a re-run after the source
/// was rewritten (a message expunged, so others moved) never mistakes a different message at a
/// reused offset for one already imported: it would be imported, not skipped, and verify would
/// report the stale copy as extra.
enum MessageTag {
    static func make(_ prefix: String, offset: Int, headers: UnsafeRawBufferPointer) -> String {
        var h = XXH64Hasher()
        h.update(headers)
        return "\(prefix)\(offset)-\(String(h.finalHex().prefix(8)))"
    }

    /// True for tags `make` builds with this prefix.
    static func isOurs(_ tag: String, prefix: String) -> Bool {
        guard tag.hasPrefix(prefix) else { return false }
        let rest = tag.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return false }
        return Int(rest[..<dash]) != nil
    }
}

/// A tag in 12 bytes: the first 96 bits of its SHA-256 (no two tags of one Maildir share it in
/// practice: 2⁻⁹⁶ per pair, about 10⁻¹⁷ among a million and a half). Three 32-bit words, so a
/// presence entry with its 64-bit key packs into 20 bytes.
struct TagKey: Sendable, Hashable, Comparable {
    var a: UInt32
    var b: UInt32
    var c: UInt32

    init(_ tag: String) {
        let d = SHA256.hash(tag)
        func word(_ i: Int) -> UInt32 { UInt32(d[i]) << 24 | UInt32(d[i + 1]) << 16 | UInt32(d[i + 2]) << 8 | UInt32(d[i + 3]) }
        a = word(0)
        b = word(4)
        c = word(8)
    }

    static func < (x: TagKey, y: TagKey) -> Bool { x.a != y.a ? x.a < y.a : x.b != y.b ? x.b < y.b : x.c < y.c }
}
