import Steps

/// The decoded parameters of an `ldap.set` step and the per-entry differences they imply.
public struct LDAPSetRequest: Sendable, Hashable {
    /// Attribute → wanted values, in the order the plan gave them.
    public var attributes: [(name: String, values: [String])]
    /// Object classes an entry must have (added when it lacks one).
    public var objectClasses: [String]

    public init(attributes: [(name: String, values: [String])], objectClasses: [String] = []) {
        self.attributes = attributes
        self.objectClasses = objectClasses
    }

    /// Decodes `set` (`attributeName=value`; a name given twice gets several values) and
    /// `object_classes`.
    public init(parameters: LDAPSetParameters) throws {
        var attributes: [(name: String, values: [String])] = []
        for item in parameters.set {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw LDAPFailure(.configuration, operation: "ldap.set", message: "set entry '\(item)' is not attribute=value")
            }
            let name = String(item[..<eq])
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw LDAPFailure(.configuration, operation: "ldap.set", message: "'\(name)' is not an attribute name")
            }
            let value = String(item[item.index(after: eq)...])
            if let i = attributes.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                attributes[i].values.append(value)
            } else {
                attributes.append((name, [value]))
            }
        }
        guard !attributes.isEmpty else {
            throw LDAPFailure(.configuration, operation: "ldap.set", message: "the step sets no attribute")
        }
        self.attributes = attributes
        self.objectClasses = parameters.objectClasses ?? []
    }

    /// Attributes to read for each entry.
    /// (`objectClass` only when classes may need adding: every value read costs the server.)
    public var readAttributes: [String] { attributes.map(\.name) + (objectClasses.isEmpty ? [] : ["objectClass"]) }

    /// The wanted values for one user: a batch step's values may name the user
    /// (`mailRoutingAddress={user}@store1.example.edu`).
    public func wanted(for user: String) -> [(name: String, values: [String])] {
        attributes.map { a in (a.name, a.values.map { StepParameters.expand($0, ["user": user]) }) }
    }

    /// What must change in `entry` for it to match.
    public func difference(user: String, entry: LDAPEntry) -> EntryDifference {
        let have = Set(entry.values("objectClass").map { $0.lowercased() })
        let missing = objectClasses.filter { !have.contains($0.lowercased()) }
        let changed = wanted(for: user).compactMap { a -> AttributeChange? in
            let current = entry.values(a.name)
            return LDAPValues.equal(current, a.values) ? nil : AttributeChange(name: a.name, current: current, wanted: a.values)
        }
        return EntryDifference(user: user, dn: entry.dn, missingClasses: missing, changes: changed)
    }

    public static func == (a: LDAPSetRequest, b: LDAPSetRequest) -> Bool {
        a.objectClasses == b.objectClasses && a.attributes.map(\.name) == b.attributes.map(\.name)
            && a.attributes.map(\.values) == b.attributes.map(\.values)
    }

    public func hash(into h: inout Hasher) {
        for a in attributes { h.combine(a.name); h.combine(a.values) }
        h.combine(objectClasses)
    }
}

/// One attribute whose current values differ from the wanted ones.
public struct AttributeChange: Sendable, Hashable {
    public var name: String
    public var current: [String]
    public var wanted: [String]
}

/// What an entry needs to match a request.
public struct EntryDifference: Sendable, Hashable {
    public var user: String
    public var dn: String
    public var missingClasses: [String]
    public var changes: [AttributeChange]

    public var isEmpty: Bool { missingClasses.isEmpty && changes.isEmpty }

    /// The modify request: add missing object classes, replace differing attributes.
    public var modifications: [LDAPModification] {
        var mods: [LDAPModification] = []
        if !missingClasses.isEmpty { mods.append(LDAPModification(.add, "objectClass", missingClasses)) }
        for c in changes { mods.append(LDAPModification(.replace, c.name, c.wanted)) }
        return mods
    }

    /// Preview lines: `~ dn: attr: old → new`, `+ dn: objectClass: name`.
    public var plannedChanges: [PlannedChange] {
        missingClasses.map { PlannedChange(.add, "\(dn): objectClass: \($0)") }
            + changes.map { PlannedChange(.modify, "\(dn): \($0.name): \(LDAPValues.render($0.current)) → \(LDAPValues.render($0.wanted))") }
    }
}

/// Comparing and showing attribute values. The Sun attributes are case-insensitive ("cis"),
/// so values compare as case-insensitive multisets.
public enum LDAPValues {
    public static func equal(_ a: [String], _ b: [String]) -> Bool {
        a.count == b.count && a.map { $0.lowercased() }.sorted() == b.map { $0.lowercased() }.sorted()
    }

    public static func render(_ values: [String]) -> String {
        values.isEmpty ? "(absent)" : values.joined(separator: ", ")
    }
}
