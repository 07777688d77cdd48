import Steps

/// One directory entry as read: its DN and the requested attributes' values.
public struct LDAPEntry: Sendable, Hashable {
    public var dn: String
    /// Keyed by lowercased attribute name (LDAP attribute names are case-insensitive).
    public var attributes: [String: [String]]

    public init(dn: String, attributes: [String: [String]] = [:]) {
        self.dn = dn
        self.attributes = Dictionary(attributes.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: +)
    }

    /// For keys already lowercased (the connection lowercases as it reads).
    init(dn: String, lowercasedAttributes: [String: [String]]) {
        self.dn = dn
        self.attributes = lowercasedAttributes
    }

    /// The values of `attribute` (empty when absent).
    public func values(_ attribute: String) -> [String] { attributes[attribute.lowercased()] ?? [] }
}

/// One change within a modify request.
public struct LDAPModification: Sendable, Hashable {
    public enum Operation: Sendable, Hashable { case add, delete, replace }
    public var operation: Operation
    public var attribute: String
    /// For `delete`, empty means the whole attribute.
    public var values: [String]

    public init(_ operation: Operation, _ attribute: String, _ values: [String]) {
        self.operation = operation
        self.attribute = attribute
        self.values = values
    }
}

/// What an asynchronous operation's final response said.
public struct LDAPOutcome: Sendable, Hashable {
    public var code: LDAPResultCode
    public var message: String
    public var matchedDN: String
}

/// One message read from a connection by `LDAPConnection.next(timeout:)`.
public enum LDAPEvent: Sendable {
    case entry(msgid: Int32, LDAPEntry)
    case done(msgid: Int32, LDAPOutcome)
}

extension LDAPEntry {
    /// The entry as earlier steps of a preview will have left it: their projected values replace
    /// the ones read, and object classes they add are added.
    func projected(user: String, _ attributes: [String], _ projection: ProjectedState) -> LDAPEntry {
        var entry = self
        for name in attributes.map({ $0.lowercased() }) {
            if let values = projection.values(.attribute(user: user, name: name)) { entry.attributes[name] = values }
        }
        if let added = projection.values(.objectClasses(user: user)) {
            entry.attributes["objectclass", default: []] += added
        }
        return entry
    }
}
