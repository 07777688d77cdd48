import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lab's group entries (mailing lists): `groupOfNames` under `ou=Groups` with the mail
/// attributes a batch's directory steps set (`mailHost`, `mailDeliveryOption`,
/// `mailUserStatus`), and `member` DNs of lab users. The front MX expands a group's address to
/// its members (`PostfixFrontMX.groupTables`).
public struct LabGroups: Sendable {
    public struct Group: Sendable, Hashable {
        public var name: String
        public var members: [String]
        public init(name: String, members: [String]) {
            self.name = name
            self.members = members
        }
    }

    public let paths: LabPaths
    public let config: LabConfig
    let layout = DirectoryLayout()

    public init(paths: LabPaths, config: LabConfig) {
        self.paths = paths
        self.config = config
    }

    func ldif(_ groups: [Group]) -> String {
        var out = "dn: \(layout.groupBase)\nobjectClass: organizationalUnit\nou: Groups\n\n"
        for group in groups {
            out += "dn: cn=\(group.name),\(layout.groupBase)\n"
            for oc in ["groupOfNames", "inetLocalMailRecipient", "mailRecipient", "inetMailUser"] { out += "objectClass: \(oc)\n" }
            out += "cn: \(group.name)\nmail: \(group.name)@\(config.domain ?? RealMailLab.domain)\n"
            out += "mailHost: \(config.legacyHost)\nmailDeliveryOption: members\nmailUserStatus: active\n"
            for member in group.members { out += "member: \(layout.dn(of: member))\n" }
            out += "\n"
        }
        return out
    }

    /// Adds `ou=Groups` and the groups (bound as the migrator).
    public func add(_ groups: [Group]) throws {
        for group in groups {
            // lab-made names: letters, digits and dashes, nothing a DN or LDIF would need to escape
            guard !group.name.isEmpty, group.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                !group.members.isEmpty else { throw LabError("bad lab group '\(group.name)'") }
        }
        let file = paths.run + "/groups.ldif"
        try ldif(groups).write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        _ = try LabProcess.output("/usr/bin/ldapadd", [
            "-x", "-H", config.ldapURL, "-D", config.bindDN, "-y", paths.run + "/ldap.bindpw", "-f", file,
        ])
    }

    /// cn → attribute (lower-cased) → values, for every group.
    public func entries() throws -> [String: [String: [String]]] {
        let output = try LabProcess.output(LabDirectory.ldapsearch, [
            "-x", "-LLL", "-o", "ldif-wrap=no", "-H", config.ldapURL, "-D", config.bindDN, "-y", paths.run + "/ldap.bindpw",
            "-b", layout.groupBase, "-s", "one", "(objectClass=groupOfNames)", "cn", "mailHost", "mailUserStatus", "mailDeliveryOption", "member",
        ])
        var result: [String: [String: [String]]] = [:]
        for block in output.components(separatedBy: "\n\n") {
            var attributes: [String: [String]] = [:]
            for line in block.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                attributes[line[..<colon].lowercased(), default: []].append(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            if let cn = attributes["cn"]?.first { result[cn] = attributes }
        }
        return result
    }
}
