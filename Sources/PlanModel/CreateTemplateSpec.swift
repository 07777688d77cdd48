import Diagnostics

/// `directory.create`: the entry mailshift adds for a batch's user who has none (the seed's
/// "populate the directory"), with `{user}` placeholders:
///
///     create:
///       dn: "uid={user},ou=People,dc=example,dc=edu"
///       attributes: { objectClass: [top, inetOrgPerson, mailRecipient], cn: "{user}", sn: "{user}" }
///
/// With `from: people.csv` (a header line `user,cn,sn,…`, or LDIF) `{cn}` takes the user's row's value.
public struct CreateTemplateSpec: Sendable {
    public var dn: Located<String>?
    /// Attribute name → values, in the order written.
    public var attributes: [(name: Located<String>, values: [String])] = []
    /// A users file with columns (CSV with a header naming `user`, or LDIF) whose values fill
    /// `{column}` placeholders, relative to the plan.
    public var from: Located<String>?
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}
