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
