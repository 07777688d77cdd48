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

    private static let weekdays: Set<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let zoneNames: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600,
        "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
    ]

    /// Parses a line (without its line ending). Returns nil when it is not a From_ line.
    public static func parse(_ line: UnsafeRawBufferPointer, timeZone: TimeZone) -> FromLine? {
        guard line.count >= 5 + 20, line.count <= 4096,
            line[0] == 0x46, line[1] == 0x72, line[2] == 0x6F, line[3] == 0x6D, line[4] == 0x20
        else { return nil }
        // Tokens with their start offsets (ISO-8859-1 decoding never fails).
        var tokens: [(start: Int, text: String)] = []
        var i = 5
        while i < line.count {
            while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
            guard i < line.count else { break }
            let s = i
            while i < line.count && line[i] != 0x20 && line[i] != 0x09 { i += 1 }
            tokens.append((s, String(line[s..<i].map { Character(Unicode.Scalar($0)) })))
        }
        for w in tokens.indices where w + 3 < tokens.count {
            guard weekdays.contains(tokens[w].text), let month = months.firstIndex(of: tokens[w + 1].text),
                let day = Int(tokens[w + 2].text), (1...31).contains(day),
                let time = parseTime(tokens[w + 3].text)
            else { continue }
            var year: Int?
            var zone: Int?
            for t in tokens[(w + 4)...].prefix(3) {
                if year == nil, let y = Int(t.text), t.text.count == 4 || t.text.count == 2 {
                    year = t.text.count == 2 ? (y < 70 ? 2000 + y : 1900 + y) : y
                } else if zone == nil, let z = parseZone(t.text) {
                    zone = z
                }
            }
            guard let year else { continue }
            let senderEnd = tokens[w].start
            var sender = String(line[5..<senderEnd].map { Character(Unicode.Scalar($0)) })
            while sender.last == " " || sender.last == "\t" { sender.removeLast() }
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
    private static func parseTime(_ s: String) -> Int? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        guard let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        var sec = 0
        if parts.count == 3 {
            guard let x = Int(parts[2]), (0...60).contains(x) else { return nil }
            sec = x
        }
        return h * 3600 + m * 60 + sec
    }

    /// `+hhmm` / `-hhmm` or a common zone name, as seconds east of UTC.
    private static func parseZone(_ s: String) -> Int? {
        if let z = zoneNames[s.uppercased()] { return z }
        let u = Array(s.utf8)
        guard u.count == 5, u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-"),
            let hh = Int(String(s.dropFirst().prefix(2))), let mm = Int(String(s.suffix(2))), hh < 24, mm < 60
        else { return nil }
        let v = hh * 3600 + mm * 60
        return u[0] == UInt8(ascii: "-") ? -v : v
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
        return "\(wd) \(months[m - 1]) \(dd) \(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)) \(y)"
    }
}
