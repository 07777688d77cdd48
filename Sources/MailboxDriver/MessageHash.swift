import Digest

/// A hash function the canonical form can be fed to (SHA-256 for verify, XXH64 for names).
public protocol CanonicalHasher: Sendable {
    init()
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest as lowercase hex.
    mutating func finalHex() -> String
}

/// SHA-256: what `mailbox.verify` (mode digest) compares.
public struct SHA256Hasher: CanonicalHasher {
    var sha = SHA256()
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { sha.update(bytes) }
    public mutating func finalHex() -> String { sha.finalize().hexString }
}

/// XXH64 (streaming): the message key in Maildir names, deduplication and the import's digest
/// summary. About ten times faster than SHA-256 here, which keeps an import near the
/// file-creation floor; a collision cannot lose mail (names also carry the byte offset, and
/// verify recomputes SHA-256 from the files).
public struct XXH64Hasher: CanonicalHasher {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    var v1: UInt64 = 0 &+ p1 &+ p2
    var v2: UInt64 = p2
    var v3: UInt64 = 0
    var v4: UInt64 = 0 &- p1
    var total: UInt64 = 0
    var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var buffered = 0

    public init() {}

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        let a = acc &+ input &* p2
        return ((a << 31) | (a >> 33)) &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        total &+= UInt64(n)
        if buffered > 0 {
            let take = min(32 - buffered, n)
            withUnsafeMutableBytes(of: &buffer) { b in (b.baseAddress! + buffered).copyMemory(from: p, byteCount: take) }
            buffered += take
            p += take
            n -= take
            guard buffered == 32 else { return }
            stripe(buffer.0, buffer.1, buffer.2, buffer.3)
            buffered = 0
        }
        while n >= 32 {
            stripe(
                p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                p.loadUnaligned(fromByteOffset: 16, as: UInt64.self), p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            p += 32
            n -= 32
        }
        if n > 0 {
            withUnsafeMutableBytes(of: &buffer) { b in b.baseAddress!.copyMemory(from: p, byteCount: n) }
            buffered = n
        }
    }

    @inline(__always) mutating func stripe(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) {
        v1 = Self.round(v1, UInt64(littleEndian: a))
        v2 = Self.round(v2, UInt64(littleEndian: b))
        v3 = Self.round(v3, UInt64(littleEndian: c))
        v4 = Self.round(v4, UInt64(littleEndian: d))
    }

    public mutating func finalize() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            h = Self.merge(h, v1)
            h = Self.merge(h, v2)
            h = Self.merge(h, v3)
            h = Self.merge(h, v4)
        } else {
            h = Self.p5
        }
        h &+= total
        let rest = buffered
        withUnsafeBytes(of: buffer) { b in
            var i = 0
            while i + 8 <= rest {
                h ^= Self.round(0, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                h = ((h << 27) | (h >> 37)) &* Self.p1 &+ Self.p4
                i += 8
            }
            if i + 4 <= rest {
                h ^= UInt64(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* Self.p1
                h = ((h << 23) | (h >> 41)) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < rest {
                h ^= UInt64(b[i]) &* Self.p5
                h = ((h << 11) | (h >> 53)) &* Self.p1
                i += 1
            }
        }
        h ^= h >> 33
        h &*= Self.p2
        h ^= h >> 29
        h &*= Self.p3
        h ^= h >> 32
        return h
    }

    public mutating func finalHex() -> String {
        let v = finalize()
        let hex = String(v, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
