import Steps

/// An `ldap.create` step's template with its users' rows, read once: which users it can be
/// filled for, and the entry it gives each. `{user}` and `{column}` (a column of the user's row,
/// any case) are filled in; in the DN through RFC 4514 escaping. A value that is exactly
/// `{column}` takes each of the column's non-empty values (none: no value); any other use of a
/// column needs a non-empty value, or the user is set aside: never an entry with a placeholder
/// left in it, or an empty RDN.
struct CreateTemplate {
    let parameters: LDAPCreateParameters
    let rows: [String: [String: [String]]]
    /// Columns the DN or a value uses inside other text: each needs a value in the user's row.
    let requiredColumns: Set<String>
    /// Whether any column is used at all (then a user needs a row).
    let usesColumns: Bool

    init(_ p: LDAPCreateParameters) {
        parameters = p
        rows = p.rowsByUser()
        var required = Set<String>()
        var uses = false
        for (i, template) in ([p.dn] + p.attributes.map(Self.valueTemplate)).enumerated() {
            let names = StepParameters.placeholders(in: template).map { $0.lowercased() }.filter { $0 != "user" }
            uses = uses || !names.isEmpty
            if i > 0, Self.whole(template) != nil { continue }
            required.formUnion(names)
        }
        requiredColumns = required
        usesColumns = uses
    }

    /// Why the template cannot be filled for `user`; nil when it can.
    func refusal(_ user: String) -> NoCreateRow? {
        guard usesColumns else { return nil }
        guard let row = rows[user] else { return NoCreateRow(user: user, file: parameters.from, missing: []) }
        let missing = requiredColumns.filter { (row[$0]?.first ?? "").isEmpty }.sorted()
        return missing.isEmpty ? nil : NoCreateRow(user: user, file: parameters.from, missing: missing)
    }

    /// The entry for `user`: its DN and attributes (values in template order), with the
    /// marker value carrying `token` when given.
    func entry(_ user: String, token: String? = nil) -> (dn: String, attributes: [(name: String, values: [String])]) {
        let row = rows[user]
        var attributes: [(name: String, values: [String])] = []
        for assignment in parameters.attributes {
            guard let eq = assignment.firstIndex(of: "=") else { continue }
            let name = String(assignment[..<eq])
            let template = Self.valueTemplate(assignment)
            let values: [String]
            if let column = Self.whole(template), column != "user" {
                values = (row?[column] ?? []).filter { !$0.isEmpty }
            } else {
                values = [Self.fill(template, user: user, row: row) { $0 }]
            }
            if let i = attributes.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                attributes[i].values += values
            } else if !values.isEmpty {
                attributes.append((name, values))
            }
        }
        if let token {
            let marker = LDAPCreateRunner.marker(token: token)
            if let i = attributes.firstIndex(where: { $0.name.lowercased() == LDAPCreateRunner.markerAttribute }) {
                attributes[i].values.append(marker)
            } else {
                attributes.append((LDAPCreateRunner.markerAttribute, [marker]))
            }
        }
        return (Self.fill(parameters.dn, user: user, row: row, escape: LDAPDistinguishedName.escape), attributes)
    }

    /// The value side of an `attribute=template` assignment.
    static func valueTemplate(_ assignment: String) -> String {
        assignment.firstIndex(of: "=").map { String(assignment[assignment.index(after: $0)...]) } ?? assignment
    }

    /// The column a template is exactly `{column}` of (lowercased), else nil.
    static func whole(_ template: String) -> String? {
        guard template.hasPrefix("{"), template.hasSuffix("}"), template.count > 2 else { return nil }
        let inner = template.dropFirst().dropLast()
        return inner.contains("{") || inner.contains("}") ? nil : inner.lowercased()
    }

    /// `template` with `{user}` and the row's columns filled in (each through `escape`).
    static func fill(_ template: String, user: String, row: [String: [String]]?, escape: (String) -> String) -> String {
        var variables = ["user": escape(user)]
        for (column, values) in row ?? [:] { variables[column] = escape(values.first ?? "") }
        return StepParameters.expand(template, variables, foldingCase: true)
    }
}

/// A user whose entry is missing and whose template values would come from a users file that
/// has no row for them, or no value in a column the template needs.
struct NoCreateRow: StepFailure {
    var user: String
    var file: String?
    /// Columns without a value in the user's row; empty: no row at all.
    var missing: [String]
    var disposition: FailureDisposition { .permanent }
    var summary: String {
        let source = file.map { "'\($0)'" } ?? "the users file"
        let why = missing.isEmpty ? "has no row for the user" : "has no value for \(missing.map { "{\($0)}" }.joined(separator: ", ")) in the user's row"
        return "\(user): the entry is missing and \(source) \(why), so the template cannot be filled"
    }
    var hint: String? { "add the user's values to the file (then `mailshift resume`), or create the entry by hand" }
}
