import Diagnostics

/// `directory.create`: the entry mailshift adds for a batch's user who has none (the seed's
/// "populate the directory"), with `{user}` placeholders:
///
///     create:
///       dn: "uid={user},ou=People,dc=example,dc=edu"
///       attributes: { objectClass: [top, inetOrgPerson, mailRecipient], cn: "{user}", sn: "{user}" }
public struct CreateTemplateSpec: Sendable {
    public var dn: Located<String>?
    /// Attribute name → values, in the order written.
    public var attributes: [(name: Located<String>, values: [String])] = []
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}
