import Steps

/// Restores what a batch's `ldap.set` steps recorded (`LDAPSetOutputs`): each attribute back to
/// its values before the first step (deleted where it was absent), added object classes removed.
///
/// Several steps of a batch (e.g. `mailDeliveryOption` = hold, later = mailbox) are undone in
/// reverse order in memory, one step at a time, and each entry then gets one modify with the
/// net result; so hold → mailbox rolled back over mailbox → hold writes nothing for that attribute.
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

    /// The preview for one step's outputs.
    public func plan(_ outputs: StepOutputs, force: Bool = false) async throws -> RollbackPlan {
        try await plan(steps: [outputs], force: force)
    }

    /// The preview: the changes a rollback of these steps (given in the order they ran) would
    /// make, and the entries it would refuse.
    public func plan(steps: [StepOutputs], force: Bool = false) async throws -> RollbackPlan {
        var chains: [String: [RecordedEntry]] = [:]
        for outputs in steps {
            for user in LDAPSetOutputs.users(in: outputs) {
                if let record = LDAPSetOutputs.record(of: user, in: outputs) { chains[user, default: []].append(record) }
            }
        }
        let users = chains.keys.sorted()
        guard !users.isEmpty else { return RollbackPlan(entries: [], refusals: []) }
        let attributes = Array(Set(chains.values.flatMap { $0.flatMap { $0.attributes.map(\.name) } })).sorted() + ["objectClass"]
        let targets = users.map { (user: $0, dn: chains[$0]?.last?.dn ?? "") }
        let window = client.endpoint.window
        let current = try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: window).read(targets, attributes: attributes)
        }
        var entries: [RollbackEntry] = []
        var refusals: [RollbackRefusal] = []
        for (target, result) in zip(targets, current) {
            switch result {
            case .failure(let failure) where failure.code == .noSuchObject:
                refusals.append(RollbackRefusal(user: target.user, dn: target.dn, attribute: nil, current: [], written: []))
            case .failure(let failure):
                throw failure
            case .success(let entry):
                let (restore, conflicts) = Self.undo(chains[target.user] ?? [], dn: target.dn, entry)
                refusals += conflicts
                if conflicts.isEmpty || force, let restore { entries.append(restore) }
            }
        }
        return RollbackPlan(entries: entries, refusals: refusals)
    }

    /// Restores one step's recorded values; throws the first refusal (nothing written) unless `force`.
    @discardableResult
    public func restore(_ outputs: StepOutputs, force: Bool = false) async throws -> RollbackPlan {
        try await restore(steps: [outputs], force: force)
    }

    /// Restores the values from before the first of these steps (given in the order they ran).
    @discardableResult
    public func restore(steps: [StepOutputs], force: Bool = false) async throws -> RollbackPlan {
        let plan = try await plan(steps: steps, force: force)
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

    /// Undoes a user's records newest first against the entry's current values; returns the net
    /// modify (nil when nothing differs) and the attributes someone else changed.
    private static func undo(_ chain: [RecordedEntry], dn: String, _ entry: LDAPEntry) -> (RollbackEntry?, [RollbackRefusal]) {
        let user = chain.last?.user ?? ""
        var names: [String] = []
        for record in chain {
            for a in record.attributes where !names.contains(where: { $0.lowercased() == a.name.lowercased() }) { names.append(a.name) }
        }
        var modifications: [LDAPModification] = []
        var changes: [PlannedChange] = []
        var refusals: [RollbackRefusal] = []
        for name in names {
            let now = entry.values(name)
            var restored = now
            for record in chain.reversed() {
                guard let a = record.attributes.first(where: { $0.name.lowercased() == name.lowercased() }) else { continue }
                if LDAPValues.equal(restored, a.previous) { continue }
                if !LDAPValues.equal(restored, a.written) {
                    refusals.append(RollbackRefusal(user: user, dn: dn, attribute: name, current: restored, written: a.written))
                }
                restored = a.previous
            }
            guard !LDAPValues.equal(restored, now) else { continue }
            modifications.append(restored.isEmpty ? LDAPModification(.delete, name, []) : LDAPModification(.replace, name, restored))
            changes.append(PlannedChange(.modify, "\(dn): \(name): \(LDAPValues.render(now)) → \(LDAPValues.render(restored))"))
        }
        let present = Set(entry.values("objectClass").map { $0.lowercased() })
        var classes: [String] = []
        for c in chain.flatMap(\.addedClasses) where present.contains(c.lowercased()) && !classes.contains(c) { classes.append(c) }
        if !classes.isEmpty {
            modifications.append(LDAPModification(.delete, "objectClass", classes))
            changes += classes.map { PlannedChange(.remove, "\(dn): objectClass: \($0)") }
        }
        guard !modifications.isEmpty else { return (nil, refusals) }
        return (RollbackEntry(user: user, dn: dn, modifications: modifications, changes: changes), refusals)
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
