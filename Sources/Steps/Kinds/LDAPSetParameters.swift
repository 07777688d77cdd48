/// `ldap.set`: replace directory attributes for every user of a batch. Batch scope.
public struct LDAPSetParameters: StepParameterSet {
    /// `attribute=value` assignments (directory attribute names, resolved by the compiler).
    public var set: [String]
    /// Object classes added to an entry that lacks them before setting an attribute.
    public var objectClasses: [String]?

    public init(set: [String], objectClasses: [String]? = nil) {
        self.set = set
        self.objectClasses = objectClasses
    }

    enum CodingKeys: String, CodingKey { case set, objectClasses = "object_classes" }

    public func expanded(_ t: (String) -> String) -> Self { self }
}
