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
    static let mboxOnly: Set<[UInt8]> = Set(
        ["status", "x-status", "x-uid", "x-keywords", "x-imap", "x-imapbase", "content-length"].map { Array($0.utf8) })

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
        guard let colon = line.firstIndex(of: 0x3A), colon > 0,
            line[0..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            // Not a header (e.g. an old `>From ` line under the From_ line): kept.
            dropping = false
            if unescape, line.first == 0x3E, isEscapedFrom(line) {
                bytes.append(contentsOf: line[1...])
            } else {
                bytes.append(contentsOf: line)
            }
            return
        }
        let name = line[0..<colon].map { $0 | ($0 >= 0x41 && $0 <= 0x5A ? 0x20 : 0) }
        guard Self.mboxOnly.contains(name) else {
            dropping = false
            if name.elementsEqual("subject".utf8), contains(line, "FOLDER INTERNAL DATA") { isFolderInternalData = true }
            bytes.append(contentsOf: line)
            return
        }
        dropping = true
        let value = line[(colon + 1)...].filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }
        switch String(decoding: name, as: UTF8.self) {
        case "status": flags.addStatus(value)
        case "x-status": flags.addXStatus(value)
        case "content-length":
            if let n = Int(String(decoding: value, as: UTF8.self)), n >= 0 { contentLength = n }
        case "x-imap": isFolderInternalData = true
        default: break
        }
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
