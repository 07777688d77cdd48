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
            out.append(contentsOf: Array("From MAILER-DAEMON \(Self.asctime(mtime, in: timeZone))\n".utf8))
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

    /// `Mon Jan  5 10:00:00 2026`: the date as a From_ line writes it, in `zone`.
    static func asctime(_ seconds: Int, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.weekday, .month, .day, .hour, .minute, .second, .year], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let day = c.day ?? 1
        return "\(days[((c.weekday ?? 1) - 1) % 7]) \(months[((c.month ?? 1) - 1) % 12]) \(day < 10 ? " " : "")\(day) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) \(c.year ?? 1970)"
    }

    static let utc = TimeZone(identifier: "UTC")!
}
