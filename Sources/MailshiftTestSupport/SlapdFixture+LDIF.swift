import Foundation

extension SlapdFixture {
    /// Adds the entries of `ldif` behind mailshift's back (as root, with ldapadd).
    public func addLDIF(_ ldif: String) throws {
        let file = temp.file("add-\(UUID().uuidString).ldif")
        try ldif.write(toFile: file, atomically: true, encoding: .utf8)
        _ = try Self.run("/usr/bin/ldapadd", ["-x", "-H", slapd.url, "-D", layout.rootDN, "-w", layout.rootPassword, "-f", file])
    }

    /// The values of `attribute` of the entry at `dn` (empty when it has none).
    public func values(dn: String, _ attribute: String) throws -> [String] {
        let output = try Self.run("/usr/bin/ldapsearch", [
            "-LLL", "-o", "ldif-wrap=no", "-x", "-H", slapd.url, "-D", layout.rootDN, "-w", layout.rootPassword,
            "-s", "base", "-b", dn, "(objectClass=*)", attribute,
        ])
        let prefix = attribute.lowercased() + ": "
        return output.split(separator: "\n").compactMap { line in
            line.lowercased().hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : nil
        }
    }
}
