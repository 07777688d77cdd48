import Foundation
import Glibc

extension MboxReader {
    private enum Phase { case start, headers, body, afterContentLength }

    /// Reads every message into `consumer`. Throws `MboxError` on a file that is not an mbox or is
    /// damaged; callers that write validate with an `MboxTally` pass first.
    public func read<C: MboxConsumer>(into consumer: inout C) throws {
        var phase = Phase.start
        var header = MboxHeaderSection()
        header.unescape = variant.unescapesFrom
        var head = MboxMessageHead(offset: 0, from: FromLine(sender: "", date: 0, hadZone: false), flags: MaildirFlags(), index: 0)
        var stored = 0
        var pendingBlank = 0
        var index = 0
        var first = true
        var skipping = false

        func startMessage(_ from: FromLine, at offset: Int) {
            head = MboxMessageHead(offset: offset, from: from, flags: MaildirFlags(), index: index)
            header.reset()
            stored = 0
            pendingBlank = 0
            phase = .headers
        }

        func finishMessage(endOffset: Int) throws {
            if !skipping {
                try consumer.end(head, storedBytes: stored, endOffset: endOffset)
                index += 1
            }
            skipping = false
            delivering = false
            first = false
        }

        /// The header section ended (at an empty line, or at the end of file).
        func finishHeaders(bodyOffset: Int) throws {
            head.flags = header.flags
            if first && header.isFolderInternalData {
                skipping = true
                skippedInternal += 1
            }
            stored = header.bytes.count
            if !skipping {
                delivering = try header.bytes.withUnsafeBytes { try consumer.begin(head, headers: $0) }
            }
            phase = .body
            if variant.usesContentLength, let cl = header.contentLength {
                // The sender's number: one past the end of file is as wrong as one just short of it.
                let (land, overflow) = bodyOffset.addingReportingOverflow(cl)
                if !overflow && contentLengthLands(land) {
                    head.contentLength = cl
                    try readRaw(cl, &consumer, stored: &stored)
                    phase = .afterContentLength
                } else {
                    warn(.contentLengthMismatch, head.offset)
                }
            }
        }

        while try nextLine(&consumer, stored: &stored) {
            switch phase {
            case .start:
                guard lineStartsFrom, let from = FromLine.parse(lineContent, timeZone: timeZone) else {
                    throw MboxError(.notMbox, file: path, offset: lineOffset, detail: "the first line is not a From_ line")
                }
                startMessage(from, at: lineOffset)
            case .afterContentLength:
                // The separator, then a From_ line (both checked before the body was trusted).
                if lineIsEmpty { continue }
                guard lineStartsFrom, let from = FromLine.parse(lineContent, timeZone: timeZone) else {
                    throw MboxError(.notMbox, file: path, offset: lineOffset, detail: "expected a From_ line after Content-Length")
                }
                try finishMessage(endOffset: lineOffset)
                startMessage(from, at: lineOffset)
            case .headers:
                if lineIsEmpty {
                    header.append(line)
                    try finishHeaders(bodyOffset: base + pos)
                    continue
                }
                if memchr(buf + lineS, 0, lineN) != nil {
                    throw MboxError(.binaryData, file: path, offset: lineOffset, detail: "NUL byte in a header section")
                }
                header.add(line, continuation: lineIsContinuation)
                if header.bytes.count > Self.headerLimit {
                    throw MboxError(.headerTooLarge, file: path, offset: head.offset, detail: "over \(Self.headerLimit >> 20) MB")
                }
            case .body:
                if lineStartsFrom {
                    if let from = FromLine.parse(lineContent, timeZone: timeZone) {
                        try flushSpan(&consumer, upTo: lineS, stored: &stored)
                        try finishMessage(endOffset: lineOffset)
                        startMessage(from, at: lineOffset)
                        continue
                    }
                    warn(.suspiciousFromLine, lineOffset)
                }
                if pendingBlank > 0 {
                    try emitBlank(pendingBlank, &consumer, stored: &stored)
                    pendingBlank = 0
                }
                if lineIsEmpty {
                    try flushSpan(&consumer, upTo: lineS, stored: &stored)
                    pendingBlank = lineN
                    continue
                }
                if !lineIsContinuation && buf.load(fromByteOffset: lineS, as: UInt8.self) == 0 {
                    throw MboxError(.binaryData, file: path, offset: lineOffset, detail: "NUL bytes at a line start (zero-filled block?)")
                }
                if variant.unescapesFrom && lineIsEscapedFrom {
                    try flushSpan(&consumer, upTo: lineS, stored: &stored)
                    spanStart = lineS + 1
                } else if spanStart < 0 {
                    spanStart = lineS
                }
            }
        }
        // End of file: the last message ends here; a trailing empty line is its separator.
        switch phase {
        case .start: break
        case .headers:
            try finishHeaders(bodyOffset: limit)
            try finishMessage(endOffset: limit)
        case .body:
            try flushSpan(&consumer, upTo: pos, stored: &stored)
            try finishMessage(endOffset: limit)
        case .afterContentLength:
            try finishMessage(endOffset: limit)
        }
    }

    private func emitBlank<C: MboxConsumer>(_ n: Int, _ c: inout C, stored: inout Int) throws {
        stored += n
        guard delivering else { return }
        let crlf: [UInt8] = n == 2 ? [0x0D, 0x0A] : [0x0A]
        try crlf.withUnsafeBytes { try c.body($0) }
    }

    /// Delivers exactly `count` body bytes from the file, line structure ignored.
    private func readRaw<C: MboxConsumer>(_ count: Int, _ c: inout C, stored: inout Int) throws {
        var remaining = count
        while remaining > 0 {
            if pos == end {
                guard try fill() else {
                    throw MboxError(.unreadable, file: path, offset: base + end, detail: "file shrank while reading")
                }
            }
            let take = min(remaining, end - pos)
            if delivering { try c.body(UnsafeRawBufferPointer(start: buf + pos, count: take)) }
            stored += take
            pos += take
            remaining -= take
        }
    }

    /// mutt's rule: the body end must be the end of file, or an LF then a From_ line.
    func contentLengthLands(_ at: Int) -> Bool {
        if at == limit { return true }
        guard at < limit else { return false }
        var probe = [UInt8](repeating: 0, count: min(4096, limit - at))
        let n = probe.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
        guard n > 0, probe[0] == 0x0A else { return false }
        if n == 1 && at + 1 == limit { return true }
        guard n >= 6 else { return false }
        let rest = probe[1..<n]
        let lineEnd = rest.firstIndex(of: 0x0A) ?? n
        var e = lineEnd
        if e > 1 && probe[e - 1] == 0x0D { e -= 1 }
        return probe[1..<e].withUnsafeBytes { FromLine.parse($0, timeZone: timeZone) } != nil
    }
}
