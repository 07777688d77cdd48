import CNettle

/// HMAC-SHA256 (RFC 2104, FIPS 198-1) through Nettle: a checksum only the key's holder can make.
///
/// The journal seals each line with one, so that writing the log is not enough to forge a record:
/// the forger must also read the key, which stays private to the journal's owner.
public struct HMACSHA256: Sendable {
    public static let digestLength = 32

    // Nettle's context: the keyed inner and outer states plus the running one, plain C values.
    private var context = hmac_sha256_ctx()

    public init(key: some Collection<UInt8>) {
        let bytes = Array(key)
        bytes.withUnsafeBufferPointer { nettle_hmac_sha256_set_key(&context, $0.count, $0.baseAddress) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return }
        nettle_hmac_sha256_update(&context, bytes.count, p.assumingMemoryBound(to: UInt8.self))
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        let copy = Array(bytes)
        copy.withUnsafeBytes { update($0) }
    }

    /// The first `length` bytes of the tag (RFC 2104 §5 allows truncation to half the hash and
    /// more). The context is keyed again afterwards, ready for the next message.
    public mutating func finalize(length: Int = digestLength) -> [UInt8] {
        let n = max(1, min(length, Self.digestLength))
        var out = [UInt8](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { nettle_hmac_sha256_digest(&context, n, $0.baseAddress) }
        return out
    }

    /// Writes the first `out.count` bytes (at most 32) of the tag into `out`, allocating nothing
    /// (the journal tags every line). The context is keyed again afterwards.
    public mutating func finalize(into out: UnsafeMutableRawBufferPointer) {
        guard let p = out.baseAddress, out.count > 0 else { return }
        nettle_hmac_sha256_digest(&context, min(out.count, Self.digestLength), p.assumingMemoryBound(to: UInt8.self))
    }

    public static func authenticate(_ message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        var h = HMACSHA256(key: key)
        h.update(message)
        return h.finalize()
    }
}
