/// Which of our messages a Maildir already holds: what an import needs to skip what an earlier
/// run wrote (by tag) and to report that message's key (the digest summary covers it).
///
/// A mailbox of a million and a half tiny messages must not cost a dictionary of names: each
/// message is 20 bytes here, a 12-byte hash of its tag and its 64-bit message key, in one array
/// sized exactly and sorted in place, searched by bisection. Names whose key is not the usual
/// 16 hex digits (written by an older mailshift) keep their text on the side, so every key reads
/// back exactly as the name has it.
public struct MaildirPresence: Sendable {
    /// The key in two halves: 4-byte alignment keeps the entry at 20 bytes, not 24.
    struct Entry: Sendable {
        var tag: TagKey
        var keyHigh: UInt32
        var keyLow: UInt32

        init(tag: TagKey, key: UInt64) {
            self.tag = tag
            keyHigh = UInt32(truncatingIfNeeded: key >> 32)
            keyLow = UInt32(truncatingIfNeeded: key)
        }

        var key: UInt64 { UInt64(keyHigh) << 32 | UInt64(keyLow) }
    }

    /// Sorted by tag.
    private var entries: [Entry] = []
    /// Key texts that do not pack into 64 bits, by tag.
    private var irregular: [TagKey: String] = [:]

    public init() {}

    /// Our files in `new/` and `cur/`. Empty when the Maildir does not exist yet.
    public init(scanning root: String) {
        let subs = ["\(root)/new", "\(root)/cur"]
        let total = subs.reduce(0) { $0 + MaildirIndex.entryCount($1) }
        entries.reserveCapacity(total)
        for sub in subs {
            MaildirIndex.forEachEntry(sub) { fileName in
                guard entries.count < total, let name = MaildirName(fileName: fileName) else { return }
                let tag = TagKey(name.tag)
                if let key = MessageKeyText.pack(name.digest) {
                    entries.append(Entry(tag: tag, key: key))
                } else {
                    entries.append(Entry(tag: tag, key: 0))
                    irregular[tag] = name.digest
                }
            }
        }
        InPlaceSort.heapSort(&entries) { $0.tag < $1.tag }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func contains(tag: String) -> Bool { isEmpty ? false : index(of: TagKey(tag)) != nil }

    /// The message key in the name of the file with this tag, nil when there is none.
    public func key(ofTag tag: String) -> String? {
        guard !isEmpty else { return nil }
        let t = TagKey(tag)
        guard let i = index(of: t) else { return nil }
        return irregular[t] ?? MessageKeyText.unpack(entries[i].key)
    }

    /// Every message key present (for deduplicating saved mail).
    public func messageKeys() -> MessageKeySet {
        var packed: [UInt64] = []
        packed.reserveCapacity(entries.count)
        if irregular.isEmpty {
            for e in entries { packed.append(e.key) }
        } else {
            for e in entries where irregular[e.tag] == nil { packed.append(e.key) }
        }
        return MessageKeySet(packed: packed, irregular: Set(irregular.values))
    }

    private func index(of t: TagKey) -> Int? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if entries[mid].tag < t { lo = mid + 1 } else { hi = mid }
        }
        return lo < entries.count && entries[lo].tag == t ? lo : nil
    }
}
