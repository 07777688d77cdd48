import Foundation

/// The fixed names and passwords of a lab directory (test credentials, never real ones).
///
/// Users live under `ou=People,<suffix>`. Two service accounts are always present: a migrator
/// that may write (the ACL in `SlapdConfigurationFile` grants it) and a reader that may only read,
/// so tests can exercise "insufficient access" with a real bind.
public struct DirectoryLayout: Sendable, Hashable {
    public var suffix: String
    public var rootPassword: String
    public var servicePassword: String

    public init(suffix: String = "dc=example,dc=edu", rootPassword: String = "root-secret",
                servicePassword: String = "service-secret") {
        self.suffix = suffix
        self.rootPassword = rootPassword
        self.servicePassword = servicePassword
    }

    public var rootDN: String { "cn=admin,\(suffix)" }
    public var peopleBase: String { "ou=People,\(suffix)" }
    /// Where the lab's group entries (mailing lists) live.
    public var groupBase: String { "ou=Groups,\(suffix)" }
    /// A service account with write access to People.
    public var migratorDN: String { "cn=migrator,ou=Services,\(suffix)" }
    /// A service account that may only read.
    public var readerDN: String { "cn=reader,ou=Services,\(suffix)" }
    public func dn(of uid: String) -> String { "uid=\(uid),\(peopleBase)" }

    /// The LDIF of the whole tree: suffix, organisational units, service accounts, then users.
    public func ldif(users: [DirectoryUser]) -> String {
        let dc = suffix.split(separator: ",").first.map { $0.split(separator: "=").last.map(String.init) ?? "example" } ?? "example"
        var out = """
            dn: \(suffix)
            objectClass: dcObject
            objectClass: organization
            dc: \(dc)
            o: mailshift lab

            dn: ou=People,\(suffix)
            objectClass: organizationalUnit
            ou: People

            dn: ou=Services,\(suffix)
            objectClass: organizationalUnit
            ou: Services

            dn: \(migratorDN)
            objectClass: person
            cn: migrator
            sn: migrator
            userPassword: \(servicePassword)

            dn: \(readerDN)
            objectClass: person
            cn: reader
            sn: reader
            userPassword: \(servicePassword)


            """
        out.reserveCapacity(out.utf8.count + users.count * 300)
        for user in users {
            out += "dn: \(dn(of: user.uid))\n"
            for oc in user.objectClasses { out += "objectClass: \(oc)\n" }
            out += "uid: \(user.uid)\n"
            for extra in user.attributes["uid"] ?? [] where extra != user.uid { out += Self.line("uid", extra) }
            for key in user.attributes.keys.sorted() where key.lowercased() != "uid" {
                for value in user.attributes[key] ?? [] { out += Self.line(key, value) }
            }
            out += "\n"
        }
        return out
    }

    /// One `attr: value` line, base64 (`attr:: ...`) when the value is not safe as LDIF text.
    static func line(_ key: String, _ value: String) -> String {
        let bytes = Array(value.utf8)
        let unsafeStart = bytes.first.map { $0 == 0x20 || $0 == 0x3A || $0 == 0x3C } ?? false
        let unsafe = unsafeStart || bytes.last == 0x20 || bytes.contains { $0 < 0x20 || $0 > 0x7E }
        if unsafe { return "\(key):: \(Data(bytes).base64EncodedString())\n" }
        return "\(key): \(value)\n"
    }
}
