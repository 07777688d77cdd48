/// Converts libyaml's character-counted marks into byte offsets.
///
/// libyaml advances its mark index by one per character (not per byte); for ASCII text the two
/// agree and no table is built. Otherwise the offset is the line's first byte plus the UTF-8
/// length of the characters before the column.
struct ByteOffsetMap {
    private let bytes: [UInt8]
    private let lineStarts: [Int]?

    init(bytes: [UInt8]) {
        self.bytes = bytes
        var ascii = true
        for b in bytes where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            lineStarts = nil
        } else {
            var starts = [0]
            for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
            lineStarts = starts
        }
    }

    /// Byte offset of the 0-based `line` and `column` (characters), or `index` for ASCII text.
    func offset(index: Int, line: Int, column: Int) -> Int {
        guard let lineStarts, line < lineStarts.count else { return index }
        var at = lineStarts[line]
        var chars = 0
        while chars < column, at < bytes.count {
            at += 1
            while at < bytes.count, bytes[at] & 0xC0 == 0x80 { at += 1 }
            chars += 1
        }
        return at
    }

    /// The 1-based line and column of byte `offset` (for errors found before libyaml runs).
    static func location(ofByte offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var i = 0
        while i < offset, i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }
}
