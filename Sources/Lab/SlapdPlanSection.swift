import Foundation

extension SlapdInstance {
    /// The plan's `directory:` section for this instance, for `mailshift lab`: binds as the
    /// migrator, whose password this writes to `passwordFile` (mode 0600; the plan only names it).
    /// With TLS files, the section uses StartTLS verified against the lab's CA.
    public func planDirectorySection(passwordFile: String, profile: String = "messaging-server") throws -> String {
        try LabSecrets.write(layout.servicePassword + "\n", toFile: passwordFile)
        var lines = [
            "directory:",
            "  url: \(url)",
        ]
        if let tls = options.tls {
            lines += ["  starttls: true", "  ca_file: \(Self.quoted(tls.caFile))"]
        }
        lines += [
            "  bind_dn: \(Self.quoted(layout.migratorDN))",
            "  password: { file: \(Self.quoted(passwordFile)) }",
            "  base: \(Self.quoted(layout.peopleBase))",
            "  user_filter: \"(uid={user})\"",
            "  profile: \(profile)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
