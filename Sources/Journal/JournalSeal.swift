import Digest

/// The keyed, chained checksum of journal lines.
///
/// Each line's tag is HMAC-SHA256 under the journal's key over the previous line's tag and the
/// line's payload, cut to 128 bits (32 hex digits). Without the key nobody can make a valid line;
/// and since each tag covers the one before it, valid lines cannot be moved, dropped or copied
/// from elsewhere either: only a tail can be cut, which reads as a crash (its steps are inspected
/// again).
struct JournalSeal: Sendable {
    /// A 128-bit tag as two words: copied and compared without allocating (every line has one).
    struct Tag: Sendable, Hashable {
        var high: UInt64 = 0
        var low: UInt64 = 0

        /// Equal in constant time, so timing tells a forger nothing about how close a guess was.
        func matches(_ other: Tag) -> Bool { (high ^ other.high) | (low ^ other.low) == 0 }

        /// The tag's 16 bytes in order.
        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            var copy = self
            return withUnsafeBytes(of: &copy) { body($0) }
        }
    }

    static let tagLength = 16
    static let hexLength = tagLength * 2
    /// The chain's start, before the header line.
    static let origin = Tag()

    private var mac: HMACSHA256
    /// The tag of the last line sealed or verified.
    private(set) var previous: Tag

    init(key: [UInt8], previous: Tag = JournalSeal.origin) {
        self.mac = HMACSHA256(key: key)
        self.previous = previous
    }

    /// The tag `payload` gets after the lines so far (the chain is not advanced).
    mutating func tag(_ payload: UnsafeBufferPointer<UInt8>) -> Tag {
        previous.withBytes { mac.update($0) }
        mac.update(UnsafeRawBufferPointer(payload))
        var out = Tag()
        withUnsafeMutableBytes(of: &out) { mac.finalize(into: $0) }
        return out
    }

    /// Seals `payload`: its tag, the chain advanced past it.
    mutating func seal(_ payload: UnsafeBufferPointer<UInt8>) -> Tag {
        previous = tag(payload)
        return previous
    }

    /// Whether `expected` is `payload`'s tag; on success the chain advances past it.
    mutating func verify(_ payload: UnsafeBufferPointer<UInt8>, expected: Tag) -> Bool {
        let t = tag(payload)
        guard t.matches(expected) else { return false }
        previous = t
        return true
    }
}
