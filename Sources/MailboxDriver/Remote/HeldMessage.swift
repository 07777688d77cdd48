import Foundation
import Glibc

/// One held message as an mboxrd entry (`SourceStream.hold`).
enum HeldMessage {
    static func mboxrd(_ content: [UInt8], mtime: Int) -> [UInt8] {
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
            var t = time_t(mtime)
            var parts = tm()
            gmtime_r(&t, &parts)
            var text = [CChar](repeating: 0, count: 64)
            let n = strftime(&text, text.count, "%a %b %e %H:%M:%S %Y", &parts)
            out.append(contentsOf: Array("From MAILER-DAEMON ".utf8) + text.prefix(n).map { UInt8(bitPattern: $0) } + [0x0A])
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
