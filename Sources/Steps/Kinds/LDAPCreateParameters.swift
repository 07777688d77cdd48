/// `ldap.create`: create the entry of every user of a batch that has none, from the plan's
/// `directory.create` template. Batch scope. `{user}` stays in the template: the runner fills it
/// in per user (escaped per RFC 4514 in the DN; a value is sent as a value, never as LDIF text).
public struct LDAPCreateParameters: StepParameterSet {
    /// DN template, e.g. `uid={user},ou=People,dc=example,dc=edu`.
    public var dn: String
    /// `attribute=value` templates, one value each (an attribute may repeat).
    public var attributes: [String]

    public init(dn: String, attributes: [String]) {
        self.dn = dn
        self.attributes = attributes
    }

    public func expanded(_ t: (String) -> String) -> Self {
        // Only `{batch}`/`{host}` would be filled here; `{user}` is the runner's, per user.
        self
    }
}
