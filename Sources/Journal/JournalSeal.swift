import Digest

/// The keyed, chained checksum of journal lines.
///
/// Each line's tag is HMAC-SHA256 under the journal's key over the previous line's tag and the
/// line's payload, cut to 128 bits (32 hex digits). Without the key nobody can make a valid line;
/// and since each tag covers the one before it, valid lines cannot be moved, dropped or copied
/// from elsewhere either: only a tail can be cut, which reads as a crash (its steps are inspected
/// again).
struct JournalSeal: Sendable {
    static let tagLength = 16
    static let hexLength = tagLength * 2
    /// The chain's start, before the header line.
    static let origin = [UInt8](repeating: 0, count: tagLength)

    private var mac: HMACSHA256
    /// The tag of the last line sealed or verified.
    private(set) var previous: [UInt8]

    init(key: [UInt8], previous: [UInt8] = JournalSeal.origin) {
        self.mac = HMACSHA256(key: key)
        self.previous = previous
    }

    /// The tag `payload` gets after the lines so far (the chain is not advanced).
    mutating func tag(_ payload: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        mac.update(previous)
        mac.update(UnsafeRawBufferPointer(payload))
        return mac.finalize(length: Self.tagLength)
    }

    mutating func advance(to tag: [UInt8]) { previous = tag }

    /// Seals `payload`: its tag, the chain advanced past it.
    mutating func seal(_ payload: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let t = tag(payload)
        previous = t
        return t
    }

    /// Whether `expected` is `payload`'s tag; on success the chain advances past it. Compared in
    /// constant time, so timing tells a forger nothing about how close a guess was.
    mutating func verify(_ payload: UnsafeBufferPointer<UInt8>, expected: [UInt8]) -> Bool {
        guard expected.count == Self.tagLength else { return false }
        let t = tag(payload)
        var difference: UInt8 = 0
        for i in 0..<Self.tagLength { difference |= t[i] ^ expected[i] }
        guard difference == 0 else { return false }
        previous = t
        return true
    }
}
