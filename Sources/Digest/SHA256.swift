import CNettle

/// SHA-256 (FIPS 180-4), streaming. Used for step fingerprints and per-message digests.
///
/// The compression is Nettle's (`libnettle`, already on any machine with GnuTLS, which libldap
/// uses): it picks the CPU's SHA instructions at run time, about 8× the 200 MB/s of the portable
/// Swift version this replaced, and `mailbox.verify` digests every message twice.
public struct SHA256: Sendable {
    // A plain C struct (state, count, block): copied by value like any Swift struct, Sendable.
    private var context = sha256_ctx()

    public init() {
        nettle_sha256_init(&context)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return }
        nettle_sha256_update(&context, bytes.count, p.assumingMemoryBound(to: UInt8.self))
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        let copy = Array(bytes)
        copy.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ string: String) {
        var s = string
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest; the hash starts over afterwards (Nettle resets the context).
    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { nettle_sha256_digest(&context, 32, $0.baseAddress) }
        return out
    }

    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    public static func hash(_ string: String) -> [UInt8] {
        var h = SHA256()
        h.update(string)
        return h.finalize()
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal, the form digests take in the journal, manifests and JSON.
    public var hexString: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
