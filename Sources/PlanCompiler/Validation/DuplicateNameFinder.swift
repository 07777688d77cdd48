/// Finds names listed more than once among a million without a hash table's cache misses.
///
/// A plain hash set over a million names spends nearly all its time waiting on memory (each
/// insert touches a random slot of a 16 MB table). Instead each name's 64-bit hash is packed
/// with its index, the packed values are partitioned by their top bits into buckets small enough
/// for the cache (one counting-sort pass, which keeps positions ascending within a bucket), and
/// each bucket is deduplicated with a small open-addressing table that stays in cache; a hash
/// match is confirmed by comparing the names themselves. The first occurrence is kept because
/// positions arrive in ascending order.
enum DuplicateNameFinder {
    /// (index of a repeated name, index of its first occurrence), in order of the repeated name.
    static func duplicates(in names: [String]) -> [(index: Int, first: Int)] {
        let n = names.count
        guard n > 1, n < Int(UInt32.max) else { return [] }
        // Packed: high 32 bits of the hash, then the index; sorting orders by hash, then position.
        var packed = [UInt64](repeating: 0, count: n)
        for i in 0..<n { packed[i] = (UInt64(truncatingIfNeeded: hash(names[i])) & 0xFFFF_FFFF_0000_0000) | UInt64(i) }

        let bucketBits = max(0, min(12, (Int.bitWidth - (n / 2048).leadingZeroBitCount)))
        let buckets = 1 << bucketBits
        let shift = UInt64(64 - bucketBits)
        var counts = [Int](repeating: 0, count: buckets + 1)
        if bucketBits > 0 { for p in packed { counts[Int(p >> shift) + 1] += 1 } } else { counts[1] = n }
        for b in 0..<buckets { counts[b + 1] += counts[b] }
        var sorted = [UInt64](repeating: 0, count: n)
        var next = counts
        for p in packed {
            let b = bucketBits > 0 ? Int(p >> shift) : 0
            sorted[next[b]] = p
            next[b] += 1
        }
        packed = []

        // Each bucket is small enough for a cache-resident open-addressing table, reused.
        var out: [(index: Int, first: Int)] = []
        var table: [UInt64] = []
        for b in 0..<buckets {
            let range = counts[b]..<counts[b + 1]
            guard range.count > 1 else { continue }
            var size = 16
            while size < range.count * 2 { size <<= 1 }
            let mask = size - 1
            if table.count < size { table = [UInt64](repeating: 0, count: size) }
            for k in 0..<size { table[k] = 0 }
            for p in sorted[range] {
                // Slot from hash bits below the bucket bits; stored value is the packed entry + 1.
                var slot = Int(truncatingIfNeeded: (p >> 32) ^ (p >> 45)) & mask
                while true {
                    let e = table[slot]
                    if e == 0 {
                        table[slot] = p &+ 1
                        break
                    }
                    let q = e &- 1
                    if q >> 32 == p >> 32, names[Int(q & 0xFFFF_FFFF)] == names[Int(p & 0xFFFF_FFFF)] {
                        out.append((Int(p & 0xFFFF_FFFF), Int(q & 0xFFFF_FFFF)))
                        break
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        out.sort { $0.index < $1.index }
        return out
    }

    /// FNV-1a over the UTF-8 bytes, finished with murmur3's fmix64 (FNV's multiply only carries
    /// upward, so its high bits alone would mix poorly).
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var s = s
        s.withUTF8 { bytes in
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
