import Steps

/// Restores what an `ldap.set` step recorded (`LDAPSetOutputs`): each attribute back to its
/// previous values (deleted where it was absent) and added object classes removed.
///
/// An entry someone changed since mailshift wrote it (current values are neither what mailshift
/// wrote nor the previous ones) is refused, and nothing is written while any entry is refused,
/// unless `force`. Entries already back at their previous values are left alone, so a rollback
/// can be repeated.
public struct LDAPRollback: Sendable {
    public var client: DirectoryClient

    public init(client: DirectoryClient) { self.client = client }

    public init(endpoint: DirectoryEndpoint, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.client = DirectoryClient(endpoint: endpoint, log: log)
    }

    /// The preview: the changes a rollback would make, and the entries it would refuse.
    public func plan(_ outputs: StepOutputs, force: Bool = false) async throws -> RollbackPlan {
        let records = LDAPSetOutputs.users(in: outputs).compactMap { LDAPSetOutputs.record(of: $0, in: outputs) }
        guard !records.isEmpty else { return RollbackPlan(entries: [], refusals: []) }
        let attributes = Array(Set(records.flatMap { $0.attributes.map(\.name) })).sorted() + ["objectClass"]
        let window = client.endpoint.window
        let current = try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: window).read(records.map { ($0.user, $0.dn) }, attributes: attributes)
        }
        var entries: [RollbackEntry] = []
        var refusals: [RollbackRefusal] = []
        for (record, result) in zip(records, current) {
            switch result {
            case .failure(let failure) where failure.code == .noSuchObject:
                refusals.append(RollbackRefusal(user: record.user, dn: record.dn, attribute: nil, current: [], written: []))
            case .failure(let failure):
                throw failure
            case .success(let entry):
                let (restore, conflicts) = Self.compare(record, entry)
                refusals += conflicts
                if conflicts.isEmpty || force, let restore { entries.append(restore) }
            }
        }
        return RollbackPlan(entries: entries, refusals: refusals)
    }

    /// Restores the recorded values; throws the first refusal (nothing written) unless `force`.
    @discardableResult
    public func restore(_ outputs: StepOutputs, force: Bool = false) async throws -> RollbackPlan {
        let plan = try await plan(outputs, force: force)
        if !force, var first = plan.refusals.first {
            first.others = plan.refusals.count - 1
            throw first
        }
        guard !plan.entries.isEmpty else { return plan }
        let window = client.endpoint.window
        let items = plan.entries.map { (user: $0.user, dn: $0.dn, modifications: $0.modifications) }
        let failures = try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: window).modify(items).sorted { $0.key < $1.key }.map(\.value)
        }
        if var first = failures.first {
            first.others = failures.count - 1
            throw first
        }
        return plan
    }

    private static func compare(_ record: RecordedEntry, _ entry: LDAPEntry) -> (RollbackEntry?, [RollbackRefusal]) {
        var modifications: [LDAPModification] = []
        var changes: [PlannedChange] = []
        var refusals: [RollbackRefusal] = []
        for a in record.attributes {
            let now = entry.values(a.name)
            if LDAPValues.equal(now, a.previous) { continue }
            if !LDAPValues.equal(now, a.written) {
                refusals.append(RollbackRefusal(user: record.user, dn: record.dn, attribute: a.name, current: now, written: a.written))
            }
            modifications.append(a.previous.isEmpty ? LDAPModification(.delete, a.name, []) : LDAPModification(.replace, a.name, a.previous))
            changes.append(PlannedChange(.modify, "\(record.dn): \(a.name): \(LDAPValues.render(now)) → \(LDAPValues.render(a.previous))"))
        }
        let present = Set(entry.values("objectClass").map { $0.lowercased() })
        let classes = record.addedClasses.filter { present.contains($0.lowercased()) }
        if !classes.isEmpty {
            modifications.append(LDAPModification(.delete, "objectClass", classes))
            changes += classes.map { PlannedChange(.remove, "\(record.dn): objectClass: \($0)") }
        }
        guard !modifications.isEmpty else { return (nil, refusals) }
        return (RollbackEntry(user: record.user, dn: record.dn, modifications: modifications, changes: changes), refusals)
    }
}

/// What a rollback would do.
public struct RollbackPlan: Sendable, Hashable {
    public var entries: [RollbackEntry]
    public var refusals: [RollbackRefusal]

    /// The preview lines, entry by entry.
    public var changes: [PlannedChange] { entries.flatMap(\.changes) }
}

/// One entry's restoring modify request and its preview lines.
public struct RollbackEntry: Sendable, Hashable {
    public var user: String
    public var dn: String
    public var modifications: [LDAPModification]
    public var changes: [PlannedChange]
}

/// An entry changed by someone else since mailshift wrote it (or deleted): not restored without `force`.
public struct RollbackRefusal: StepFailure, Hashable, CustomStringConvertible {
    public var user: String
    public var dn: String
    /// Nil when the entry itself is gone.
    public var attribute: String?
    public var current: [String]
    public var written: [String]
    public var others = 0

    public var disposition: FailureDisposition { .permanent }

    public var summary: String {
        var line = if let attribute {
            "rollback refused for user \(user) (\(dn)): \(attribute) is \(LDAPValues.render(current)), "
                + "mailshift wrote \(LDAPValues.render(written)); changed by someone else since"
        } else {
            "rollback refused for user \(user): \(dn) no longer exists"
        }
        if others > 0 { line += " (and \(others) more)" }
        return line
    }

    public var hint: String? { "check the entry, then roll back with --force to overwrite it anyway" }
    public var description: String { summary }
}
