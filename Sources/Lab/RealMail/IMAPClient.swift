import Foundation

/// A small IMAP4rev1 client (RFC 3501), enough for the lab to read a mailbox as a mail client
/// would: LOGIN, EXAMINE (read-only, so checking changes nothing), UID FETCH of every message's
/// flags, INTERNALDATE and body, LOGOUT.
final class IMAPClient {
    /// One message as the server shows it.
    struct Message: Sendable, Hashable {
        var uid: Int
        /// System flags and keywords, without `\Recent` (a session property, not the message's).
        var flags: Set<String>
        /// INTERNALDATE as seconds since the epoch.
        var internalDate: Int
        /// BODY[] with the server's CRLF line ends.
        var body: [UInt8]
    }

    private let connection: LoopbackConnection
    private var tagCounter = 0

    /// Connects and reads the greeting.
    init(port: Int, timeout: TimeInterval = 30) throws {
        connection = try LoopbackConnection(port: port, timeout: timeout)
        let greeting = try connection.readLine()
        guard greeting.hasPrefix("* OK") else { throw LabError("IMAP server on port \(port) greeted with '\(greeting)'") }
    }

    func login(user: String, password: String) throws {
        _ = try command("LOGIN \(Self.quoted(user)) \(Self.quoted(password))")
    }

    /// Opens `mailbox` read-only; returns how many messages it has.
    func examine(_ mailbox: String = "INBOX") throws -> Int {
        let untagged = try command("EXAMINE \(Self.quoted(mailbox))")
        for line in untagged {
            let parts = line.text.split(separator: " ")
            if parts.count >= 3, parts[2].uppercased() == "EXISTS", let n = Int(parts[1]) { return n }
        }
        throw LabError("IMAP EXAMINE \(mailbox) gave no EXISTS count")
    }

    /// Every message of the selected mailbox.
    func fetchAll() throws -> [Message] {
        let untagged = try command("UID FETCH 1:* (UID FLAGS INTERNALDATE BODY.PEEK[])")
        return try untagged.compactMap { line in
            guard line.text.contains(" FETCH (") else { return nil }
            return try Self.message(line)
        }
    }

    func logout() {
        _ = try? command("LOGOUT")
    }

    /// An untagged response: its text (literals replaced by `{N}`) and the literals in order.
    struct Untagged {
        var text: String
        var literals: [[UInt8]]
    }

    /// Sends `text` with a new tag; returns the untagged responses once the tagged OK arrives.
    func command(_ text: String) throws -> [Untagged] {
        tagCounter += 1
        let tag = "m\(tagCounter)"
        try connection.write("\(tag) \(text)\r\n")
        var responses: [Untagged] = []
        while true {
            var line = try connection.readLine()
            if line.hasPrefix(tag + " ") {
                let status = line.dropFirst(tag.count + 1)
                guard status.hasPrefix("OK") else {
                    let verb = text.hasPrefix("LOGIN") ? "LOGIN" : text
                    throw LabError("IMAP \(verb) failed on port \(connection.port): \(status)")
                }
                return responses
            }
            var response = Untagged(text: "", literals: [])
            while let count = Self.trailingLiteral(line) {
                response.text += line + "\r\n"
                response.literals.append(try connection.read(count: count))
                line = try connection.readLine()
            }
            response.text += line
            responses.append(response)
        }
    }

    /// N when `line` ends with `{N}` (a literal of N bytes follows).
    static func trailingLiteral(_ line: String) -> Int? {
        guard line.hasSuffix("}"), let open = line.lastIndex(of: "{") else { return nil }
        return Int(line[line.index(after: open)..<line.index(before: line.endIndex)])
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Reads UID, FLAGS, INTERNALDATE and BODY[] out of one FETCH response.
    static func message(_ response: Untagged) throws -> Message {
        let text = response.text
        guard let uid = number(after: "UID ", in: text) else { throw LabError("IMAP FETCH without UID: \(text.prefix(120))") }
        guard let flagsStart = text.range(of: "FLAGS (")?.upperBound,
            let flagsEnd = text[flagsStart...].firstIndex(of: ")")
        else { throw LabError("IMAP FETCH without FLAGS: \(text.prefix(120))") }
        let flags = Set(text[flagsStart..<flagsEnd].split(separator: " ").map(String.init)).subtracting(["\\Recent"])
        guard let dateStart = text.range(of: "INTERNALDATE \"")?.upperBound,
            let dateEnd = text[dateStart...].firstIndex(of: "\""),
            let date = IMAPDate.parse(String(text[dateStart..<dateEnd]))
        else { throw LabError("IMAP FETCH without a readable INTERNALDATE: \(text.prefix(160))") }
        guard let body = response.literals.last else { throw LabError("IMAP FETCH without BODY[]: \(text.prefix(120))") }
        return Message(uid: uid, flags: flags, internalDate: date, body: body)
    }

    static func number(after key: String, in text: String) -> Int? {
        guard let start = text.range(of: key)?.upperBound else { return nil }
        return Int(text[start...].prefix { $0.isNumber })
    }
}

/// IMAP's date-time (`" 2-Dec-2026 02:27:44 +0000"`, RFC 3501 date-time) as epoch seconds.
enum IMAPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func parse(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard parts.count == 3 else { return nil }
        let date = parts[0].split(separator: "-")
        let time = parts[1].split(separator: ":").compactMap { Int($0) }
        guard date.count == 3, time.count == 3, let day = Int(date[0]), let year = Int(date[2]),
            let month = months.firstIndex(of: String(date[1])), let zone = Int(parts[2]) else { return nil }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        (components.year, components.month, components.day) = (year, month + 1, day)
        (components.hour, components.minute, components.second) = (time[0], time[1], time[2])
        guard let utc = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        let offset = (abs(zone) / 100 * 3600 + abs(zone) % 100 * 60) * (zone < 0 ? -1 : 1)
        return Int(utc.timeIntervalSince1970) - offset
    }
}
