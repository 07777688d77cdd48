/// One message's header section as the reader collects it: the kept bytes, plus what the
/// mbox-only headers said (flags, Content-Length) before they were stripped.
struct MboxHeaderSection {
    /// Headers kept, in order, byte for byte (plus the empty line that ends the section).
    var bytes: [UInt8] = []
    var flags = MaildirFlags()
    var contentLength: Int?
    var isFolderInternalData = false
    /// mboxrd: remove one `>` from `>+From ` lines.
    var unescape = false
    private var dropping = false

    /// Headers only a mailbox format needs; stripped from the stored message (Dovecot mbox.md).
    static let mboxOnly: [[UInt8]] = ["status", "x-status", "x-uid", "x-keywords", "x-imap", "x-imapbase", "content-length"].map { Array($0.utf8) }
    static let subject = Array("subject".utf8)

    init() { bytes.reserveCapacity(8192) }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 20)
        flags = MaildirFlags()
        contentLength = nil
        isFolderInternalData = false
        dropping = false
    }

    /// Appends the empty line that ends the section.
    mutating func append(_ line: UnsafeRawBufferPointer) { bytes.append(contentsOf: line) }

    /// One header line (with its line ending), or a piece of an overlong one.
    mutating func add(_ line: UnsafeRawBufferPointer, continuation: Bool) {
        if continuation || line.first == 0x20 || line.first == 0x09 {
            if !dropping { bytes.append(contentsOf: line) }
            return
        }
        // Only names up to 15 bytes matter here (the longest is `content-length`).
        var colon = -1
        for k in 0..<min(line.count, 16) {
            let c = line[k]
            if c == 0x3A { colon = k; break }
            if c <= 0x20 || c >= 0x7F { break }
        }
        guard colon > 0 else {
            dropping = false
            if unescape, line.first == 0x3E, isEscapedFrom(line) {
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[1...]))
            } else {
                bytes.append(contentsOf: line)
            }
            return
        }
        guard let kind = Self.mboxOnly.firstIndex(where: { Self.equalsLowercased(line, colon, $0) }) else {
            dropping = false
            if Self.equalsLowercased(line, colon, Self.subject), contains(line, "FOLDER INTERNAL DATA") { isFolderInternalData = true }
            bytes.append(contentsOf: line)
            return
        }
        dropping = true
        let value = UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]).filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }
        switch kind {
        case 0: flags.addStatus(value)
        case 1: flags.addXStatus(value)
        case 6:
            if let n = value.withUnsafeBytes({ ContentLength.parse($0) }) { contentLength = n }
        case 4: isFolderInternalData = true
        default: break
        }
    }

    /// `line[0..<count]` equals `name` (lowercase ASCII) ignoring ASCII case.
    private static func equalsLowercased(_ line: UnsafeRawBufferPointer, _ count: Int, _ name: [UInt8]) -> Bool {
        guard count == name.count else { return false }
        for k in 0..<count where line[k] | (line[k] >= 0x41 && line[k] <= 0x5A ? 0x20 : 0) != name[k] { return false }
        return true
    }

    private func isEscapedFrom(_ line: UnsafeRawBufferPointer) -> Bool {
        var g = 0
        while g < line.count && line[g] == 0x3E { g += 1 }
        return line.count - g >= 5 && line[g..<(g + 5)].elementsEqual("From ".utf8)
    }

    private func contains(_ line: UnsafeRawBufferPointer, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard line.count >= n.count else { return false }
        for i in 0...(line.count - n.count) where line[i] == n[0] {
            if line[i..<(i + n.count)].elementsEqual(n) { return true }
        }
        return false
    }
}
