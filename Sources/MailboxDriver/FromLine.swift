import Foundation

/// A parsed mbox From_ line: `From SENDER Www Mmm dd hh:mm[:ss] [ZONE] yyyy [ZONE]`.
///
/// Tolerates what mutt's `is_from` tolerates: ctime's space-padded day, seconds missing, a zone
/// before or after the year (numeric `+hhmm` or a common name), quoted senders with spaces, an
/// empty sender, and trailing `remote from host`. A date without a zone is local time in the
/// reader's time zone (Solaris mail.local writes ctime in local time).
public struct FromLine: Sendable, Hashable {
    public var sender: String
    /// Seconds since the epoch.
    public var date: Int
    /// True when the line carried a zone (else the reader's time zone was applied).
    public var hadZone: Bool

    /// Weekday and month names packed as 3-byte integers, for byte-level matching.
    private static func pack(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2])
    }
    private static func pack(_ s: String) -> UInt32 {
        let u = Array(s.utf8)
        return UInt32(u[0]) << 16 | UInt32(u[1]) << 8 | UInt32(u[2])
    }
    private static let weekdays: Set<UInt32> = Set(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { pack($0) })
    private static let months: [UInt32] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { pack($0) }
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let zoneNames: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600,
        "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
    ]

    /// Parses a line (without its line ending). Returns nil when it is not a From_ line.
    ///
    /// Byte-level (no strings until a match): body lines starting `From ` are tested too, so a
    /// miss must be cheap.
    public static func parse(_ line: UnsafeRawBufferPointer, timeZone: TimeZone) -> FromLine? {
        let n = line.count
        guard n >= 5 + 20, n <= 4096,
            line[0] == 0x46, line[1] == 0x72, line[2] == 0x6F, line[3] == 0x6D, line[4] == 0x20
        else { return nil }
        // Token boundaries (start, end) after "From ".
        var tokens: [(Int, Int)] = []
        tokens.reserveCapacity(12)
        var i = 5
        while i < n {
            while i < n && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
            guard i < n else { break }
            let s = i
            while i < n && line[i] != 0x20 && line[i] != 0x09 { i += 1 }
            tokens.append((s, i))
        }
        func number(_ t: (Int, Int)) -> Int? {
            guard t.1 > t.0, t.1 - t.0 <= 4 else { return nil }
            var v = 0
            for k in t.0..<t.1 {
                let d = Int(line[k]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        for w in tokens.indices where w + 3 < tokens.count {
            let tw = tokens[w], tm = tokens[w + 1]
            guard tw.1 - tw.0 == 3, tm.1 - tm.0 == 3, weekdays.contains(pack(line, tw.0)),
                let month = months.firstIndex(of: pack(line, tm.0)),
                let day = number(tokens[w + 2]), (1...31).contains(day),
                let time = parseTime(line, tokens[w + 3])
            else { continue }
            var year: Int?
            var zone: Int?
            for t in tokens[(w + 4)...].prefix(3) {
                let len = t.1 - t.0
                if year == nil, len == 4 || len == 2, let y = number(t) {
                    year = len == 2 ? (y < 70 ? 2000 + y : 1900 + y) : y
                } else if zone == nil, let z = parseZone(line, t) {
                    zone = z
                }
            }
            guard let year else { continue }
            var senderEnd = tw.0
            while senderEnd > 5 && (line[senderEnd - 1] == 0x20 || line[senderEnd - 1] == 0x09) { senderEnd -= 1 }
            let sender = String(decoding: UnsafeRawBufferPointer(rebasing: line[5..<max(5, senderEnd)]), as: UTF8.self)
            let civil = civilSeconds(year: year, month: month + 1, day: day) + time
            let date: Int
            if let zone {
                date = civil - zone
            } else {
                // Local time: the offset in force at that local time (DST-correct except in the
                // ambiguous hour, where the earlier reading wins).
                let guess = civil - timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(civil)))
                date = civil - timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess)))
            }
            return FromLine(sender: sender, date: date, hadZone: zone != nil)
        }
        return nil
    }

    /// `hh:mm:ss` or `hh:mm` as seconds of the day.
    private static func parseTime(_ line: UnsafeRawBufferPointer, _ t: (Int, Int)) -> Int? {
        var parts: [Int] = []
        var v = -1
        for k in t.0..<t.1 {
            let c = line[k]
            if c == 0x3A {
                guard v >= 0 else { return nil }
                parts.append(v)
                v = -1
            } else if c >= 0x30 && c <= 0x39 {
                v = (v < 0 ? 0 : v * 10) + Int(c - 0x30)
                if v > 99 { return nil }
            } else {
                return nil
            }
        }
        guard v >= 0 else { return nil }
        parts.append(v)
        guard parts.count == 2 || parts.count == 3, parts[0] <= 23, parts[1] <= 59, parts.count == 2 || parts[2] <= 60 else { return nil }
        return parts[0] * 3600 + parts[1] * 60 + (parts.count == 3 ? parts[2] : 0)
    }

    /// `+hhmm` / `-hhmm` or a common zone name, as seconds east of UTC.
    private static func parseZone(_ line: UnsafeRawBufferPointer, _ t: (Int, Int)) -> Int? {
        let len = t.1 - t.0
        if len == 5, line[t.0] == 0x2B || line[t.0] == 0x2D {
            var d: [Int] = []
            for k in (t.0 + 1)..<t.1 {
                let x = Int(line[k]) - 48
                guard x >= 0 && x <= 9 else { return nil }
                d.append(x)
            }
            let hh = d[0] * 10 + d[1], mm = d[2] * 10 + d[3]
            guard hh < 24, mm < 60 else { return nil }
            let v = hh * 3600 + mm * 60
            return line[t.0] == 0x2D ? -v : v
        }
        guard len <= 3 else { return nil }
        return zoneNames[String(decoding: UnsafeRawBufferPointer(rebasing: line[t.0..<t.1]), as: UTF8.self).uppercased()]
    }

    /// Seconds since the epoch of a civil UTC date (days-from-civil, proleptic Gregorian).
    static func civilSeconds(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146_097 + doe - 719_468) * 86400
    }

    /// Formats a date as a UTC From_ line date (`Www Mmm dd hh:mm:ss yyyy`), ctime style.
    public static func ctime(_ t: Int, offset: Int = 0) -> String {
        let s = t + offset
        let days = Int((Double(s) / 86400).rounded(.down))
        let secs = s - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let dd = d < 10 ? " \(d)" : "\(d)"
        return "\(wd) \(monthNames[m - 1]) \(dd) \(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)) \(y)"
    }
}
