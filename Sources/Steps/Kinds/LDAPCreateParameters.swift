/// `ldap.create`: create the entry of every user of a batch that has none, from the plan's
/// `directory.create` template. Batch scope. `{user}` stays in the template: the runner fills it
/// in per user (escaped per RFC 4514 in the DN; a value is sent as a value, never as LDIF text).
public struct LDAPCreateParameters: StepParameterSet {
    /// DN template, e.g. `uid={user},ou=People,dc=example,dc=edu`.
    public var dn: String
    /// `attribute=value` templates, one value each (an attribute may repeat).
    public var attributes: [String]
    /// The users file with columns the rows came from (as the plan names it), if any.
    public var from: String?
    /// The batch's users' values from `from`, in user order: `<user>/<column>=<value>` (a user
    /// name holds no `/`; a column may repeat). `{column}` in the template takes these values.
    /// nil without `from` (so such a step's parameters and fingerprint are as before).
    public var rows: [String]?

    public init(dn: String, attributes: [String], from: String? = nil, rows: [String]? = nil) {
        self.dn = dn
        self.attributes = attributes
        self.from = from
        self.rows = rows
    }

    public func expanded(_ t: (String) -> String) -> Self {
        // Only `{batch}`/`{host}` would be filled here; `{user}` and columns are the runner's, per user.
        self
    }

    /// Each user's values by column (lowercased), for the users `from` has a row for.
    public func rowsByUser() -> [String: [String: [String]]] {
        var out: [String: [String: [String]]] = [:]
        for r in rows ?? [] {
            guard let slash = r.firstIndex(of: "/"), let eq = r[slash...].firstIndex(of: "=") else { continue }
            let user = String(r[..<slash]), column = String(r[r.index(after: slash)..<eq])
            out[user, default: [:]][column, default: []].append(String(r[r.index(after: eq)...]))
        }
        return out
    }
}
