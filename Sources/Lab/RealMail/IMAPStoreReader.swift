import Digest
import Foundation

/// Reads a lab user's INBOX the way a mail client does, over IMAP from the lab's Dovecot:
/// each message's SHA-256 (of the body with the server's CRLF turned back into the store's LF),
/// flags as Maildir letters and INTERNALDATE. `lab verify` compares these with the manifest.
public struct IMAPStoreReader: Sendable {
    public let port: Int
    public let password: String

    public init(port: Int, password: String) {
        self.port = port
        self.password = password
    }

    /// A message as the store shows it.
    public struct Seen: Sendable, Hashable {
        public var sha: String
        /// Maildir letters in ASCII order (D, F, R, S, T).
        public var flags: String
        public var date: Int
        /// The Message-ID header's value, when the message has one.
        public var messageID: String?
    }

    static let letters = ["\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"]

    public func messages(of user: String) throws -> [Seen] {
        let client = try IMAPClient(port: port)
        defer { client.logout() }
        try client.login(user: user, password: password)
        guard try client.examine() > 0 else { return [] }
        return try client.fetchAll().map { m in
            Seen(sha: SHA256.hash(Self.unCRLF(m.body)).hexString,
                 flags: String(m.flags.compactMap { Self.letters[$0] }.joined().sorted()), date: m.internalDate,
                 messageID: Self.messageID(m.body))
        }
    }

    /// The first Message-ID header of the message's header section.
    static func messageID(_ body: [UInt8]) -> String? {
        let header = body.prefix(65_536)
        for line in String(decoding: header, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.isEmpty { return nil }
            if line.lowercased().hasPrefix("message-id:") { return line.dropFirst(11).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// CRLF → LF (IMAP always sends CRLF; the lab's store holds LF).
    static func unCRLF(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 13, i + 1 < bytes.count, bytes[i + 1] == 10 { i += 1; continue }
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}

extension IMAPStoreReader {
    /// Every message's body in `user`'s INBOX, as the server sends it (CRLF).
    public func bodies(of user: String) throws -> [[UInt8]] {
        let client = try IMAPClient(port: port)
        defer { client.logout() }
        try client.login(user: user, password: password)
        guard try client.examine() > 0 else { return [] }
        return try client.fetchAll().map(\.body)
    }
}
