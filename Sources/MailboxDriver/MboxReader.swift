import Foundation
import Glibc
import SafeFiles

/// Streams the messages of one mbox file, in any variant, with memory independent of mailbox and
/// message size (one fixed buffer; only a header section is ever held whole, up to a limit).
///
/// Rules (DOMAIN.md section 2): a message starts at a From_ line that parses (mutt's
/// `is_from`); the empty line before the next From_ line (or the end of file) is the separator and
/// not part of the message; mboxrd removes one `>` from `>+From ` lines; with Content-Length
/// variants a Content-Length is used only when it lands on a From_ line or the end of file, else
/// the message falls back to From_ scanning with a warning; the mbox-only headers are stripped
/// and every other byte is kept; the UW-IMAP "FOLDER INTERNAL DATA" message is skipped. The file
/// is read up to its size at open, so mail appended meanwhile is left for the next run.
public final class MboxReader {
    public let path: String
    /// The variant read with (resolved when `auto` was asked).
    public let variant: MboxVariant
    /// True when the variant was detected rather than pinned.
    public let detected: Bool
    /// True when detection could not tell mboxo from mboxrd and `ifAmbiguous` chose.
    public let ambiguous: Bool
    public let identity: SourceIdentity
    public internal(set) var warnings: [MboxWarning] = []
    public internal(set) var warningCount = 0
    /// Pseudo-messages skipped (UW-IMAP folder internal data).
    public internal(set) var skippedInternal = 0

    static let bufferSize = 1 << 20
    static let headerLimit = 16 << 20
    static let maxWarnings = 100

    let fd: Int32
    let timeZone: TimeZone
    let limit: Int
    var buf: UnsafeMutableRawPointer
    var base = 0, pos = 0, end = 0
    var eof = false
    // The current line: buffer index, length (with its LF), and whether it is a continuation.
    var lineS = 0, lineN = 0, lineHasNL = false, lineIsContinuation = false, nextIsContinuation = false
    var spanStart = -1
    var delivering = false

    /// Opens `path`. `variant: .auto` detects the variant from the file's first megabytes; a file
    /// mboxo and mboxrd would read differently is read as `ifAmbiguous` says, or refused.
    public init(path: String, variant: MboxVariant, timeZone: TimeZone, ifAmbiguous: AmbiguousReading = .refuse) throws {
        self.path = path
        self.timeZone = timeZone
        // Never through a link, never a file with other names: root reads it into a user's store.
        guard let (fd, st) = try SourceFile.open(path) else {
            throw MboxError(.unreadable, file: path, offset: 0, detail: String(cString: strerror(ENOENT)))
        }
        // Decided before anything is allocated: a refused file leaves nothing to release but fd.
        var chosen = variant
        var ambiguous = false
        if variant == .auto {
            let evidence = MboxSniffer.detect(fd: fd, size: Int(st.st_size), timeZone: timeZone)
            ambiguous = evidence.ambiguous
            if evidence.ambiguous {
                guard let reading = ifAmbiguous.variant else {
                    close(fd)
                    throw MboxError.ambiguous(path, offset: max(0, evidence.firstEscape))
                }
                chosen = reading
            } else {
                chosen = evidence.variant
            }
        }
        self.variant = chosen
        self.detected = variant == .auto
        self.ambiguous = ambiguous
        self.fd = fd
        self.identity = SourceIdentity(st)
        self.limit = Int(st.st_size)
        self.buf = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    deinit {
        buf.deallocate()
        close(fd)
    }

    func warn(_ kind: MboxWarning.Kind, _ offset: Int) {
        warningCount += 1
        if warnings.count < Self.maxWarnings { warnings.append(MboxWarning(kind, offset: offset)) }
    }

    // MARK: buffer

    func flushSpan<C: MboxConsumer>(_ c: inout C, upTo e: Int, stored: inout Int) throws {
        if spanStart >= 0 && e > spanStart {
            stored += e - spanStart
            if delivering { try c.body(UnsafeRawBufferPointer(start: buf + spanStart, count: e - spanStart)) }
        }
        spanStart = -1
    }

    /// Moves the unread bytes to the buffer's start and reads more. Returns false at the end.
    func fill() throws -> Bool {
        if pos > 0 {
            if end > pos { memmove(buf, buf + pos, end - pos) }
            base += pos
            end -= pos
            pos = 0
        }
        let want = min(Self.bufferSize - end, limit - (base + end))
        guard want > 0 else {
            if limit - (base + end) <= 0 { eof = true }
            return false
        }
        var n: Int
        repeat { n = Glibc.read(fd, buf + end, want) } while n < 0 && errno == EINTR
        guard n >= 0 else {
            throw MboxError(.unreadable, file: path, offset: base + end, detail: String(cString: strerror(errno)))
        }
        if n == 0 {
            eof = true
            return false
        }
        end += n
        return true
    }

    /// Advances to the next line (or line piece, for lines longer than the buffer). Flushes the
    /// pending body span before the buffer moves.
    func nextLine<C: MboxConsumer>(_ c: inout C, stored: inout Int) throws -> Bool {
        lineIsContinuation = nextIsContinuation
        nextIsContinuation = false
        while true {
            if pos < end, let nl = memchr(buf + pos, 0x0A, end - pos) {
                lineS = pos
                lineN = buf.distance(to: nl) + 1 - pos
                lineHasNL = true
                pos += lineN
                return true
            }
            if !eof {
                try flushSpan(&c, upTo: pos, stored: &stored)
                let full = pos == 0 && end == Self.bufferSize
                if !full, try fill() { continue }
                if full {
                    lineS = 0
                    lineN = end
                    lineHasNL = false
                    pos = end
                    nextIsContinuation = true
                    return true
                }
                if !eof { continue }
            }
            guard pos < end else { return false }
            lineS = pos
            lineN = end - pos
            lineHasNL = false
            pos = end
            return true
        }
    }

    var lineOffset: Int { base + lineS }
    var line: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buf + lineS, count: lineN) }

    /// The line without its LF or CRLF.
    var lineContent: UnsafeRawBufferPointer {
        var n = lineN
        if lineHasNL {
            n -= 1
            if n > 0 && buf.load(fromByteOffset: lineS + n - 1, as: UInt8.self) == 0x0D { n -= 1 }
        }
        return UnsafeRawBufferPointer(start: buf + lineS, count: n)
    }

    var lineIsEmpty: Bool { !lineIsContinuation && lineHasNL && lineContent.count == 0 }

    var lineStartsFrom: Bool {
        !lineIsContinuation && lineN >= 5 && buf.load(fromByteOffset: lineS, as: UInt8.self) == 0x46
            && buf.load(fromByteOffset: lineS + 1, as: UInt8.self) == 0x72
            && buf.load(fromByteOffset: lineS + 2, as: UInt8.self) == 0x6F
            && buf.load(fromByteOffset: lineS + 3, as: UInt8.self) == 0x6D
            && buf.load(fromByteOffset: lineS + 4, as: UInt8.self) == 0x20
    }

    /// `>+From ` at the line start.
    var lineIsEscapedFrom: Bool {
        guard !lineIsContinuation, lineN > 5, buf.load(fromByteOffset: lineS, as: UInt8.self) == 0x3E else { return false }
        var g = lineS
        let e = lineS + lineN
        while g < e && buf.load(fromByteOffset: g, as: UInt8.self) == 0x3E { g += 1 }
        guard e - g >= 5 else { return false }
        return UnsafeRawBufferPointer(start: buf + g, count: 5).elementsEqual("From ".utf8)
    }
}

extension MboxReader {
    /// Back to the first byte, for a second pass over the same snapshot (same descriptor, same size).
    public func rewind() {
        lseek(fd, 0, SEEK_SET)
        base = 0
        pos = 0
        end = 0
        eof = false
        spanStart = -1
        delivering = false
        nextIsContinuation = false
        warnings = []
        warningCount = 0
        skippedInternal = 0
    }
}
