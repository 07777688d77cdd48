import Foundation
import Lab

extension SlapdFixture {
    /// Adds `user` behind mailshift's back (as root, with ldapadd). The DN and every value go
    /// base64 in the LDIF, so a test can plant values with control characters.
    public func add(_ user: DirectoryUser) throws {
        func line(_ key: String, _ value: String) -> String { "\(key):: \(Data(value.utf8).base64EncodedString())\n" }
        var ldif = line("dn", layout.dn(of: user.uid))
        for oc in user.objectClasses { ldif += "objectClass: \(oc)\n" }
        for uid in [user.uid] + (user.attributes["uid"] ?? []).filter({ $0 != user.uid }) { ldif += line("uid", uid) }
        for key in user.attributes.keys.sorted() where key.lowercased() != "uid" {
            for value in user.attributes[key] ?? [] { ldif += line(key, value) }
        }
        let file = temp.file("add-\(UUID().uuidString).ldif")
        try ldif.write(toFile: file, atomically: true, encoding: .utf8)
        _ = try Self.run("/usr/bin/ldapadd", ["-x", "-H", slapd.url, "-D", layout.rootDN, "-w", layout.rootPassword, "-f", file])
    }
}
