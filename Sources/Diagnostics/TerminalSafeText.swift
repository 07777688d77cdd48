/// Text that cannot drive the terminal it is printed on.
///
/// Diagnostics quote names from users files and directory entries, which a hostile user can
/// fill with escape sequences (clear the screen, retitle the window, fake a line of output).
/// Every control character is written out as a visible escape instead: C0 (`\x1B` for ESC, so
/// an ESC sequence loses its introducer and prints as inert text), DEL, C1 (`\x9B` is a
/// one-character CSI), and the bidirectional overrides and isolates that reorder what is shown
/// (`\u202E`).
public enum TerminalSafeText {
    /// `text` with each control character replaced by `\xHH` (up to U+00FF) or `\uHHHH`.
    /// `keepTabs` leaves tabs alone: a source excerpt keeps them so its caret lines up.
    public static func escape(_ text: String, keepTabs: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0, keepTabs: keepTabs) }) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for s in text.unicodeScalars {
            if isControl(s, keepTabs: keepTabs) {
                out += written(s)
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    static func isControl(_ s: Unicode.Scalar, keepTabs: Bool) -> Bool {
        switch s.value {
        case 0x09: !keepTabs
        case 0x00...0x1F, 0x7F...0x9F: true
        // LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI.
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func written(_ s: Unicode.Scalar) -> String {
        let hex = String(s.value, radix: 16, uppercase: true)
        return s.value <= 0xFF
            ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
            : "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// JSON from `JSONEncoder` with DEL and C1 written as `\u` escapes too (the encoder escapes
    /// only C0). The same string for a JSON reader, inert on a terminal. Those bytes occur only
    /// inside JSON strings, so replacing them anywhere is safe.
    public static func escapeJSON(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var i = 0
        while i < json.count {
            let b = json[i]
            var scalar: UInt32?
            if b == 0x7F {
                scalar = 0x7F
            } else if b == 0xC2, i + 1 < json.count, (0x80...0x9F).contains(json[i + 1]) {
                scalar = UInt32(json[i + 1])
                i += 1
            } else if b == 0xE2, i + 2 < json.count,
                (json[i + 1] == 0x80 && (0xAA...0xAE).contains(json[i + 2])) || (json[i + 1] == 0x81 && (0xA6...0xA9).contains(json[i + 2]))
            {
                scalar = 0x2000 + UInt32(json[i + 1] & 0x3F) << 6 + UInt32(json[i + 2] & 0x3F)
                i += 2
            }
            if let scalar {
                let hex = String(scalar, radix: 16)
                out += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }
}
