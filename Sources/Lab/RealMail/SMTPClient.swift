import Foundation

/// A small SMTP client (RFC 5321) for the lab: sends one message per transaction to the front MX
/// and returns the queue id the server gave it, so a sender can follow that message in the log.
public final class SMTPClient {
    private let connection: LoopbackConnection

    /// Connects to 127.0.0.1:`port`, reads the greeting and says EHLO.
    public init(port: Int, heloName: String = "traffic.lab.test", timeout: TimeInterval = 30) throws {
        connection = try LoopbackConnection(port: port, timeout: timeout)
        _ = try reply(expect: 220, after: "the greeting")
        try connection.write("EHLO \(heloName)\r\n")
        _ = try reply(expect: 250, after: "EHLO")
    }

    /// Sends `message` (header and body, LF or CRLF line ends) from `sender` to `recipients`;
    /// returns the server's final reply text (Postfix's names the queue id).
    @discardableResult
    public func send(from sender: String, to recipients: [String], message: String) throws -> String {
        try connection.write("MAIL FROM:<\(sender)>\r\n")
        _ = try reply(expect: 250, after: "MAIL FROM")
        for recipient in recipients {
            try connection.write("RCPT TO:<\(recipient)>\r\n")
            _ = try reply(expect: 250, after: "RCPT TO:<\(recipient)>")
        }
        try connection.write("DATA\r\n")
        _ = try reply(expect: 354, after: "DATA")
        try connection.write(Self.dotStuffed(message) + ".\r\n")
        return try reply(expect: 250, after: "the message data")
    }

    /// The DATA section: CRLF line ends, a leading "." doubled, a final line end supplied.
    static func dotStuffed(_ message: String) -> String {
        var lines = message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map { ($0.hasPrefix(".") ? "." : "") + $0 + "\r\n" }.joined()
    }

    public func quit() {
        try? connection.write("QUIT\r\n")
        _ = try? connection.readLine()
    }

    /// Postfix's queue id out of "250 2.0.0 Ok: queued as 4F1Xyz".
    public static func queueID(_ reply: String) -> String? {
        guard let range = reply.range(of: "queued as ") else { return nil }
        return String(reply[range.upperBound...].prefix { !$0.isWhitespace })
    }

    /// Reads a (multi-line) reply; throws unless its code is `code`.
    private func reply(expect code: Int, after what: String) throws -> String {
        var text = ""
        while true {
            let line = try connection.readLine()
            text += (text.isEmpty ? "" : "\n") + line
            let marker = line.count > 3 ? line[line.index(line.startIndex, offsetBy: 3)] : " "
            if marker != "-" {
                guard Int(line.prefix(3)) == code else {
                    throw LabError("SMTP server on port \(connection.port) answered \(what) with '\(text)'")
                }
                return text
            }
        }
    }
}
