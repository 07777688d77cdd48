import Digest

/// Which of our messages a Maildir already holds: what an import needs to skip what an earlier
/// run wrote (by tag) and to report that message's key (the digest summary covers it).
///
/// A mailbox of a million and a half tiny messages must not cost a dictionary of names: each
/// message is 24 bytes here, a 16-byte hash of its tag and its 64-bit message key, in one array
/// sized exactly and sorted in place, searched by bisection. Names whose key is not the usual
/// 16 hex digits (written by an older mailshift) keep their text on the side, so every key reads
/// back exactly as the name has it.
public struct MaildirPresence: Sendable {
    struct Entry: Sendable {
        var tag: TagKey
        var key: UInt64
    }

    /// Sorted by tag.
    private var entries: [Entry] = []
    /// Key texts that do not pack into 64 bits, by tag.
    private var irregular: [TagKey: String] = [:]

    public init() {}

    /// Our files in `new/` and `cur/`. Empty when the Maildir does not exist yet.
    public init(scanning root: String) {
        let subs = ["\(root)/new", "\(root)/cur"]
        var total = 0
        for sub in subs { MaildirIndex.forEachEntry(sub) { _ in total += 1 } }
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
        for e in entries where irregular[e.tag] == nil { packed.append(e.key) }
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

/// A set of message keys, 8 bytes each (sorted), plus any that are not 16 hex digits.
public struct MessageKeySet: Sendable {
    private var packed: [UInt64]
    private let irregular: Set<String>

    init(packed: [UInt64], irregular: Set<String>) {
        self.packed = packed
        self.irregular = irregular
        InPlaceSort.heapSort(&self.packed, by: <)
    }

    public func contains(_ key: String) -> Bool {
        guard let k = MessageKeyText.pack(key) else { return irregular.contains(key) }
        var lo = 0, hi = packed.count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if packed[mid] < k { lo = mid + 1 } else { hi = mid }
        }
        return lo < packed.count && packed[lo] == k
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

/// The 16-lowercase-hex message key of a name, as the 64-bit number it prints.
enum MessageKeyText {
    static func pack(_ text: String) -> UInt64? {
        guard text.utf8.count == 16 else { return nil }
        var v: UInt64 = 0
        for c in text.utf8 {
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    static func unpack(_ v: UInt64) -> String {
        let hex = String(v, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Sorting without the scratch buffer the standard library's merge sort allocates: the arrays
/// sorted here are a process's largest.
enum InPlaceSort {
    static func heapSort<T>(_ a: inout [T], by less: (T, T) -> Bool) {
        let n = a.count
        guard n > 1 else { return }
        a.withUnsafeMutableBufferPointer { p in
            func siftDown(_ start: Int, _ end: Int) {
                var root = start
                while true {
                    var child = 2 * root + 1
                    guard child < end else { return }
                    if child + 1 < end && less(p[child], p[child + 1]) { child += 1 }
                    guard less(p[root], p[child]) else { return }
                    p.swapAt(root, child)
                    root = child
                }
            }
            for start in stride(from: n / 2 - 1, through: 0, by: -1) { siftDown(start, n) }
            for end in stride(from: n - 1, to: 0, by: -1) {
                p.swapAt(0, end)
                siftDown(0, end)
            }
        }
    }
}
