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
