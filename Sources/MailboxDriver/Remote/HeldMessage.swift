import Foundation

/// One held message as an mboxrd entry (`SourceStream.hold`).
enum HeldMessage {
    /// `timeZone`: the zone a From_ line made from `mtime` is written in, the one its reader
    /// will read it in (a From_ line carries no zone).
    static func mboxrd(_ content: [UInt8], mtime: Int, timeZone: TimeZone = utc) -> [UInt8] {
        let from = Array("From ".utf8)
        var body = content[...]
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 128)
        // Its first line is its From_ line only if it parses as one, as the local release
        // decides (`HoldRelease`); otherwise it is content, under a From_ line made from mtime.
        if content.starts(with: from), let nl = content.firstIndex(of: 0x0A), Self.isFromLine(content[..<nl]) {
            out.append(contentsOf: content[...nl])
            body = content[(nl + 1)...]
        } else {
            let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(mtime)))
            out.append(contentsOf: Array("From MAILER-DAEMON \(FromLine.ctime(mtime, offset: offset))\n".utf8))
        }
        var lineStart = true
        for b in body.indices {
            if lineStart {
                var i = b
                while i < body.endIndex && body[i] == 0x3E { i += 1 }
                if body[i...].starts(with: from) { out.append(0x3E) }
            }
            out.append(body[b])
            lineStart = body[b] == 0x0A
        }
        if out.last != 0x0A { out.append(0x0A) }
        out.append(0x0A)
        return out
    }

    static func isFromLine(_ line: ArraySlice<UInt8>) -> Bool {
        var bytes = Array(line)
        if bytes.last == 0x0D { bytes.removeLast() }
        return bytes.withUnsafeBytes { FromLine.parse($0, timeZone: utc) } != nil
    }

    private static let utc = TimeZone(identifier: "UTC")!
}
