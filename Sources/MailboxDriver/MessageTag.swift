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

/// A tag in 16 bytes: the first half of its SHA-256 (no two tags of one Maildir share it in
/// practice: 2⁻¹²⁸ per pair).
struct TagKey: Sendable, Hashable, Comparable {
    var high: UInt64
    var low: UInt64

    init(_ tag: String) {
        let d = SHA256.hash(tag)
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 {
            h = h << 8 | UInt64(d[i])
            l = l << 8 | UInt64(d[8 + i])
        }
        high = h
        low = l
    }

    static func < (a: TagKey, b: TagKey) -> Bool { a.high != b.high ? a.high < b.high : a.low < b.low }
}
