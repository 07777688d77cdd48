/// An open-addressing hash table over the roster's user names, for the million-user duplicate
/// check: it stores 32-bit indices into the names array and hashes with FNV-1a, avoiding a
/// per-name seeded SipHash and a `Dictionary` entry per user (the hot spot in `check`).
struct UserNameTable {
    /// 0 = empty; otherwise (high 32 bits of the hash) << 32 | (index + 1). Keeping part of the
    /// hash in the slot means names are compared only on a likely match: one memory access per
    /// insert instead of one per probe.
    private var slots: [UInt64]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Inserts `names[index]`; returns the index of an earlier equal name instead, if there is one.
    mutating func insert(_ index: Int, of names: [String]) -> Int? {
        let h = Self.hash(names[index])
        let tag = UInt64(truncatingIfNeeded: h) & 0xFFFF_FFFF_0000_0000
        var slot = h & mask
        while true {
            let entry = slots[slot]
            if entry == 0 {
                slots[slot] = tag | UInt64(index + 1)
                return nil
            }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let other = Int(entry & 0xFFFF_FFFF) - 1
                if names[other] == names[index] { return other }
            }
            slot = (slot + 1) & mask
        }
    }

    static func hash(_ s: String) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var s = s
        s.withUTF8 { bytes in
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        // FNV's multiply only carries upward, so its low bits mix poorly; linear probing uses the
        // low bits, so finish with murmur3's fmix64.
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }
}
