import Foundation

/// The binary form of a message head in a `head` frame: offset, date, content length (-1: none)
/// as big-endian Int64, the `old` flag, the flag letters (length-prefixed), then the header bytes.
///
/// Decoding is strict because the bytes come from another host: flag letters end up in a Maildir
/// file name, so only the Maildir flag letters pass (never `/` or `.`), and counts are bounded.
enum MessageHeadCodec {
    static let flagLetters = Set("DFPRST".utf8)

    static func encode(_ head: MboxMessageHead, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        for v in [Int64(head.offset), Int64(head.from.date), Int64(head.contentLength ?? -1)] {
            withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
        }
        out.append(head.flags.old ? 1 : 0)
        let letters = Array(head.flags.letters.utf8.prefix(8))
        out.append(UInt8(letters.count))
        out.append(contentsOf: letters)
    }

    /// The head and the header bytes that follow it in the payload.
    static func decode(_ p: UnsafeRawBufferPointer, index: Int) throws(AgentFailure) -> (MboxMessageHead, UnsafeRawBufferPointer) {
        guard p.count >= 26 else { throw AgentFailure(message: "a message head frame is too short (\(p.count) bytes)") }
        func int(_ at: Int) -> Int { Int(Int64(bigEndian: p.loadUnaligned(fromByteOffset: at, as: Int64.self))) }
        let (offset, date, length) = (int(0), int(8), int(16))
        let old = p[24] != 0
        let count = Int(p[25])
        guard offset >= 0, count <= 8, p.count >= 26 + count else {
            throw AgentFailure(message: "a message head frame is malformed (offset \(offset), \(count) flag letters)")
        }
        let letters = UnsafeRawBufferPointer(rebasing: p[26..<(26 + count)])
        guard letters.allSatisfy(flagLetters.contains) else {
            throw AgentFailure(message: "a message head frame carries flag letters outside DFPRST")
        }
        let flags = MaildirFlags(letters: String(decoding: letters, as: UTF8.self), old: old)
        let head = MboxMessageHead(
            offset: offset, from: FromLine(sender: "", date: date, hadZone: true), flags: flags, index: index,
            contentLength: length >= 0 ? length : nil)
        return (head, UnsafeRawBufferPointer(rebasing: p[(26 + count)...]))
    }

    static func encodeEnd(storedBytes: Int, endOffset: Int, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        for v in [Int64(storedBytes), Int64(endOffset)] { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
    }

    static func decodeEnd(_ p: UnsafeRawBufferPointer) throws(AgentFailure) -> (storedBytes: Int, endOffset: Int) {
        guard p.count == 16 else { throw AgentFailure(message: "a message end frame has \(p.count) bytes, not 16") }
        let stored = Int(Int64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self)))
        let end = Int(Int64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: Int64.self)))
        guard stored >= 0, end >= 0 else { throw AgentFailure(message: "a message end frame holds a negative count") }
        return (stored, end)
    }
}

/// A `digest` frame: offset (big-endian Int64), then the tag and the digest, each length-prefixed.
enum DigestEntryCodec {
    static func encode(offset: Int, tag: String, digest: String, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: Int64(offset).bigEndian) { out.append(contentsOf: $0) }
        for text in [tag, digest] {
            let bytes = Array(text.utf8.prefix(255))
            out.append(UInt8(bytes.count))
            out.append(contentsOf: bytes)
        }
    }

    static func decode(_ p: UnsafeRawBufferPointer) throws(AgentFailure) -> (offset: Int, tag: String, digest: String) {
        guard p.count >= 10 else { throw AgentFailure(message: "a digest frame is too short") }
        let offset = Int(Int64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self)))
        var at = 8
        var texts: [String] = []
        for _ in 0..<2 {
            guard at < p.count, at + 1 + Int(p[at]) <= p.count else { throw AgentFailure(message: "a digest frame is malformed") }
            texts.append(String(decoding: UnsafeRawBufferPointer(rebasing: p[(at + 1)..<(at + 1 + Int(p[at]))]), as: UTF8.self))
            at += 1 + Int(p[at])
        }
        guard offset >= 0, at == p.count else { throw AgentFailure(message: "a digest frame is malformed") }
        return (offset, texts[0], texts[1])
    }
}
