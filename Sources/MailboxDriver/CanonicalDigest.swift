import Digest
import Glibc

private let canonicalNewlines = [UInt8](repeating: 0x0A, count: 64)

/// Canonical digest for verify (SHA-256).
public typealias CanonicalSHA256 = CanonicalDigest<SHA256Hasher>
/// Canonical message key for names and deduplication (XXH64, 16 hex).
public typealias MessageKey = CanonicalDigest<XXH64Hasher>

/// A hash of a message's canonical form, the same whichever mbox variant it came from.
///
/// Canonical form: CRLF → LF; every `>+From ` line start → `From ` (so mboxo, mboxrd and
/// Solaris copies of one message agree); trailing empty lines dropped. The result does not depend
/// on how the bytes are chunked (lines split across `update` calls are carried), so a digest taken
/// while importing equals one taken later from the Maildir file. Used by verify and saved-mail
/// deduplication.
public struct CanonicalDigest<Hasher: CanonicalHasher>: Sendable {
    private var sha = Hasher()
    /// Newlines held back: emitted only if more content follows.
    private var pendingNewlines = 0
    /// An incomplete line carried from the previous chunk.
    private var carry: [UInt8] = []
    /// The carried line's start was already hashed (a line longer than `carryLimit`).
    private var midLine = false
    private static var carryLimit: Int { 65536 }

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var i = 0
        let n = bytes.count
        if !carry.isEmpty || midLine {
            guard let nl = memchr(base, 0x0A, n) else {
                carry.append(contentsOf: bytes)
                if carry.count > Self.carryLimit { flushLongCarry() }
                return
            }
            let end = base.distance(to: UnsafeRawPointer(nl)) + 1
            carry.append(contentsOf: UnsafeRawBufferPointer(start: base, count: end))
            let line = carry
            line.withUnsafeBytes { emitLine($0) }
            carry.removeAll(keepingCapacity: true)
            i = end
        }
        // Runs of plain lines (not empty, no CR before LF, not starting with '>') hash in one call.
        var runStart = -1
        while i < n {
            guard let nl = memchr(base + i, 0x0A, n - i) else { break }
            let end = base.distance(to: UnsafeRawPointer(nl)) + 1
            let len = end - i
            let plain = len > 1 && base.load(fromByteOffset: end - 2, as: UInt8.self) != 0x0D
                && base.load(fromByteOffset: i, as: UInt8.self) != 0x3E
            if plain {
                if runStart < 0 { runStart = i }
            } else {
                if runStart >= 0 {
                    emitContent(UnsafeRawBufferPointer(start: base + runStart, count: i - runStart - 1))
                    runStart = -1
                }
                emitLine(UnsafeRawBufferPointer(start: base + i, count: len))
            }
            i = end
        }
        if runStart >= 0 { emitContent(UnsafeRawBufferPointer(start: base + runStart, count: i - runStart - 1)) }
        if i < n { carry.append(contentsOf: UnsafeRawBufferPointer(start: base + i, count: n - i)) }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest as 64 hex characters.
    public mutating func finalize() -> String {
        if !carry.isEmpty || midLine {
            let line = carry
            carry.removeAll()
            line.withUnsafeBytes { emitLine($0, final: true) }
        }
        return sha.finalHex()
    }

    /// One line, with its LF unless `final`.
    private mutating func emitLine(_ line: UnsafeRawBufferPointer, final: Bool = false) {
        var s = 0
        var e = line.count
        if midLine {
            midLine = false
            if !final, e > 0, line[e - 1] == 0x0A { e -= 1 }
            if e > 0, !final, e < line.count, line[e - 1] == 0x0D { e -= 1 }
            if e > 0 { sha.update(UnsafeRawBufferPointer(rebasing: line[0..<e])) }
            pendingNewlines = final ? 0 : 1
            return
        }
        if !final, e > 0, line[e - 1] == 0x0A {
            e -= 1
            if e > 0, line[e - 1] == 0x0D { e -= 1 }
        }
        if e > s, line[s] == 0x3E {
            var g = s
            while g < e && line[g] == 0x3E { g += 1 }
            if e - g >= 5, line[g] == 0x46, line[g + 1] == 0x72, line[g + 2] == 0x6F, line[g + 3] == 0x6D, line[g + 4] == 0x20 {
                s = g
            }
        }
        if e == s {
            if !final { pendingNewlines += 1 }
            return
        }
        emitContent(UnsafeRawBufferPointer(rebasing: line[s..<e]))
        if final { pendingNewlines = 0 }
    }

    /// Content with no trailing LF: flushes held newlines, then holds this line's LF.
    private mutating func emitContent(_ content: UnsafeRawBufferPointer) {
        while pendingNewlines > 0 {
            let k = min(pendingNewlines, canonicalNewlines.count)
            canonicalNewlines.withUnsafeBytes { sha.update(UnsafeRawBufferPointer(rebasing: $0[0..<k])) }
            pendingNewlines -= k
        }
        sha.update(content)
        pendingNewlines = 1
    }

    /// A line longer than the carry limit: its start was already examined, so hash what we have
    /// (keeping a trailing CR back, it may belong to the line's CRLF).
    private mutating func flushLongCarry() {
        var keep = 0
        if carry.last == 0x0D { keep = 1 }
        var start = 0
        if !midLine, carry.first == 0x3E {
            while start < carry.count && carry[start] == 0x3E { start += 1 }
            if !carry[start...].starts(with: Array("From ".utf8)) { start = 0 }
        }
        let head = carry[start..<(carry.count - keep)]
        while pendingNewlines > 0 {
            [UInt8(0x0A)].withUnsafeBytes { sha.update($0) }
            pendingNewlines -= 1
        }
        head.withUnsafeBytes { sha.update($0) }
        carry.removeFirst(carry.count - keep)
        midLine = true
    }
}
