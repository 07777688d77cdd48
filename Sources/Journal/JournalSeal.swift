import Digest

/// The keyed, chained checksum of the journal: a seal line closes each group of lines written
/// together.
///
/// A seal is `~` and 32 hex digits: HMAC-SHA256 under the journal's key over the previous seal's
/// tag and the exact bytes of the lines since it, cut to 128 bits. Without the key nobody can
/// seal lines; since each seal covers the one before it, sealed groups cannot be moved, dropped
/// or copied from elsewhere either: only a tail can be cut, which reads as a crash (its steps are
/// inspected again). One seal per group commit, not per line, keeps the cost at one SHA-256 pass
/// over the log (a resume verifies every byte).
struct JournalSeal: Sendable {
    /// A 128-bit tag as two words: copied and compared without allocating.
    struct Tag: Sendable, Hashable {
        var high: UInt64 = 0
        var low: UInt64 = 0

        /// Equal in constant time, so timing tells a forger nothing about how close a guess was.
        func matches(_ other: Tag) -> Bool { (high ^ other.high) | (low ^ other.low) == 0 }

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            var copy = self
            return withUnsafeBytes(of: &copy) { body($0) }
        }
    }

    static let marker: UInt8 = 0x7E  // ~
    static let hexLength = 32
    /// A seal line without its newline: `~` and the hex tag.
    static let lineLength = 1 + hexLength
    /// The chain's start, before the first group.
    static let origin = Tag()

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private var mac: HMACSHA256
    /// The tag of the last seal made or verified.
    private(set) var previous: Tag

    init(key: [UInt8], previous: Tag = JournalSeal.origin) {
        self.mac = HMACSHA256(key: key)
        self.previous = previous
    }

    /// The tag the lines in `group` get after the groups so far (the chain is not advanced).
    mutating func tag(_ group: UnsafeRawBufferPointer) -> Tag {
        previous.withBytes { mac.update($0) }
        mac.update(group)
        var out = Tag()
        withUnsafeMutableBytes(of: &out) { mac.finalize(into: $0) }
        return out
    }

    /// Appends the seal line of `out[groupStart...]` to `out` and advances the chain.
    mutating func seal(_ out: inout [UInt8], from groupStart: Int) {
        guard groupStart < out.count else { return }
        let t = out.withUnsafeBytes { tag(UnsafeRawBufferPointer(rebasing: $0[groupStart...])) }
        previous = t
        out.append(Self.marker)
        t.withBytes { bytes in
            for b in bytes {
                out.append(Self.hexDigits[Int(b >> 4)])
                out.append(Self.hexDigits[Int(b & 0xF)])
            }
        }
        out.append(0x0A)
    }

    /// The tag a seal line (without its newline) holds; nil if `line` is not a seal line.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Tag? {
        guard line.count == lineLength, line[0] == marker else { return nil }
        var tag = Tag()
        let ok = withUnsafeMutableBytes(of: &tag) { bytes -> Bool in
            for i in 0..<hexLength {
                let c = line[1 + i]
                let v: UInt8
                switch c {
                case 0x30...0x39: v = c - 0x30
                case 0x61...0x66: v = c - 0x61 + 10
                default: return false
                }
                bytes[i / 2] = bytes[i / 2] << 4 | v
            }
            return true
        }
        return ok ? tag : nil
    }

    /// Whether `expected` seals `group`; on success the chain advances past it.
    mutating func verify(_ group: UnsafeRawBufferPointer, expected: Tag) -> Bool {
        let t = tag(group)
        guard t.matches(expected) else { return false }
        previous = t
        return true
    }
}
