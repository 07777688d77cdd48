/// `ldap.set`: replace directory attributes for every user of a batch, and for the batch's group
/// entries (mailing lists) when it has any. Batch scope.
public struct LDAPSetParameters: StepParameterSet {
    /// `attribute=value` assignments (directory attribute names, resolved by the compiler).
    public var set: [String]
    /// Object classes added to an entry that lacks them before setting an attribute.
    public var objectClasses: [String]?
    /// Group names moving with the batch (nil: none, and the step's rendering is unchanged).
    public var groups: [String]?
    /// Filter template with `{group}` for a group's entry (escaped per RFC 4515).
    public var groupFilter: String?
    /// Where group entries are searched (nil: the directory's base).
    public var groupBase: String?

    public init(set: [String], objectClasses: [String]? = nil, groups: [String]? = nil, groupFilter: String? = nil, groupBase: String? = nil) {
        self.set = set
        self.objectClasses = objectClasses
        self.groups = groups
        self.groupFilter = groupFilter
        self.groupBase = groupBase
    }

    enum CodingKeys: String, CodingKey {
        case set, objectClasses = "object_classes", groups, groupFilter = "group_filter", groupBase = "group_base"
    }

    public func expanded(_ t: (String) -> String) -> Self { self }
}
