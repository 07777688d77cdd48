import Digest

/// The fingerprint of a batch's user list, computed at memory speed.
///
/// A million users are ~12 MB of names; SHA-256 over all of them was the largest single cost of
/// `mailshift check`. The names (portable, so never containing a newline) are joined with `\n`
/// and digested by two independent 64-bit lanes of an xxHash-style multiply-rotate round; the
/// 128-bit result, the count and a version tag are then fingerprinted with SHA-256 like any
/// other field list. Fingerprints detect changes to a plan, not an adversary: a 128-bit
/// non-cryptographic digest makes an accidental collision negligible.
enum UserListDigest {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63

    static func fingerprint(_ users: ArraySlice<String>) -> Fingerprint {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(users.count * 12 + 8)
        for u in users {
            var u = u
            u.withUTF8 { bytes.append(contentsOf: $0) }
            bytes.append(0x0A)
        }
        let (a, b) = digest(bytes)
        return Fingerprint(fields: ["users/1", String(users.count), hex(a), hex(b)])
    }

    static func digest(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var h1: UInt64 = p1 &+ p2
        var h2: UInt64 = p3 ^ p4
        let n = bytes.count
        bytes.withUnsafeBytes { raw in
            var i = 0
            while i + 8 <= n {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                h1 = rotate(h1 ^ (w &* p2), 31) &* p1
                h2 = rotate(h2 &+ (w &* p3), 27) &* p2 &+ p4
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            h1 = rotate(h1 ^ (tail &* p2), 31) &* p1
            h2 = rotate(h2 &+ (tail &* p3), 27) &* p2 &+ p4
        }
        return (mix(h1 ^ UInt64(n)), mix(h2 &+ UInt64(n)))
    }

    private static func rotate(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    /// murmur3's fmix64 finaliser: every input bit affects every output bit.
    private static func mix(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    private static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
