import Diagnostics
import PlanModel

/// `directory.create`: the DN names `{user}` (one entry per user), and only `{user}` and the
/// columns of its `from` file are used.
struct CreateTemplateRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        guard let create = input.plan.directory?.create else { return }
        // An unusable `from` file has its own error; its placeholders are not judged without it.
        let unknownChecked = create.from == nil || input.createColumns != nil
        let allowed = ["user"] + (input.createColumns ?? [])
        func known(_ p: String) -> Bool { !unknownChecked || allowed.contains(p.lowercased()) }
        if let dn = create.dn {
            if !dn.value.contains("{user}") { diagnostics.append(.createDNWithoutUser(at: dn.range)) }
            for name in PlaceholderRule.placeholders(in: dn.value) where !known(name) {
                diagnostics.append(.unknownPlaceholder(name, in: "directory.create.dn", allowed: allowed, at: dn.range))
            }
        }
        for (name, values) in create.attributes {
            if Self.secretAttributes.contains(name.value.lowercased()) {
                diagnostics.append(.createSecretAttribute(name.value, at: name.range))
            }
            for value in values {
                for p in PlaceholderRule.placeholders(in: value) where !known(p) {
                    diagnostics.append(.unknownPlaceholder(p, in: "directory.create.attributes.\(name.value)", allowed: allowed, at: name.range))
                }
            }
        }
        if !create.attributes.contains(where: { $0.name.value.lowercased() == "objectclass" }) {
            diagnostics.append(.createWithoutObjectClass(at: create.range))
        }
    }
}

extension CreateTemplateRule {
    /// Attributes that hold credentials: their values would be printed by the preview and
    /// `mailshift graph` and carried in the step graph, and a plan holds no secret.
    static let secretAttributes: Set<String> = [
        "userpassword", "authpassword", "sambantpassword", "sambalmpassword", "krbprincipalkey", "unicodepwd",
    ]
}

extension Diagnostic {
    static func createSecretAttribute(_ name: String, at range: SourceRange) -> Diagnostic {
        .error("compiler.create-secret", "directory.create.attributes sets '\(name)': a plan, its preview and its step graph carry no credentials", at: range,
            hint: "create the entries without it, then set passwords with your directory's own tools (or let users set them)")
    }

    static func createDNWithoutUser(at range: SourceRange) -> Diagnostic {
        .error("compiler.create-dn", "directory.create.dn must contain '{user}': every user's entry needs its own DN", at: range,
            hint: "e.g. dn: \"uid={user},ou=People,dc=example,dc=edu\"")
    }

    static func createWithoutObjectClass(at range: SourceRange) -> Diagnostic {
        .error("compiler.create-objectclass", "directory.create.attributes has no objectClass: the directory refuses an entry without one", at: range,
            hint: "e.g. objectClass: [top, inetOrgPerson, mailRecipient]")
    }
}
