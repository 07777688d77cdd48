/// Where a lab daemon listens (`lab.json`'s `smtp`, `imap`, …: a stable interface for tools).
public struct LabEndpoint: Sendable, Codable, Hashable {
    public var host: String
    public var port: Int
    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }
}

/// Which mail system a lab runs.
public enum LabMailSystem: String, Sendable, Codable, CaseIterable {
    /// Postfix as front MX (LDAP routing, real hold queue) and Dovecot as the store (IMAP, LMTP).
    case real
    /// The project's own stand-in MTA writing files (see docs/lab.md).
    case standIn = "stand-in"
}
