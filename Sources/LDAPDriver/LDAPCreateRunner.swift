import Steps

/// `ldap.create`: for every user of a batch whose entry the user filter does not find, add one
/// from the plan's template (`directory.create`). Users whose entry exists are left alone.
///
/// `apply` order, safe to interrupt anywhere:
/// 1. look every user up; a missing entry is to be created, an ambiguous one sets the user aside;
/// 2. checkpoint `creating.<user>` = DN for each entry about to be added;
/// 3. add them (pipelined); each added entry is journaled as `created.<user>` = DN. An entry that
///    already exists at a DN this step had checkpointed was added by an earlier attempt, and
///    counts as created. Rollback deletes only `created.` entries: never one mailshift did not add.
public struct LDAPCreateRunner: StepRunner {
    public init() {}

    public static func createdKey(_ user: String) -> String { "created.\(user)" }
    static func creatingKey(_ user: String) -> String { "creating.\(user)" }

    /// The users an `ldap.create` step's outputs say it created, with their DNs.
    public static func created(in outputs: StepOutputs) -> [(user: String, dn: String)] {
        outputs.values.keys.filter { $0.hasPrefix("created.") }.sorted().compactMap { key in
            outputs[key].map { (String(key.dropFirst("created.".count)), $0) }
        }
    }

    /// The entry the template gives `user`: its DN and attributes (values in template order).
    static func entry(_ p: LDAPCreateParameters, user: String) -> (dn: String, attributes: [(name: String, values: [String])]) {
        var attributes: [(name: String, values: [String])] = []
        for assignment in p.attributes {
            guard let eq = assignment.firstIndex(of: "=") else { continue }
            let name = String(assignment[..<eq])
            let value = StepParameters.expand(String(assignment[assignment.index(after: eq)...]), ["user": user])
            if let i = attributes.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                attributes[i].values.append(value)
            } else {
                attributes.append((name, [value]))
            }
        }
        return (LDAPDistinguishedName.expand(p.dn, user: user), attributes)
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let (client, p, users) = try prepare(step, context)
        let (missing, refused) = try await lookUp(users, client: client)
        let changes = missing.map { user -> PlannedChange in
            let e = Self.entry(p, user: user)
            let summary = e.attributes.map { "\($0.name): \($0.values.joined(separator: ", "))" }.joined(separator: "; ")
            return PlannedChange(.add, "\(e.dn): create entry (\(summary))")
        }
        if !refused.isEmpty { return .unknown(UsersSetAside(failures: refused).forecast, changes: changes) }
        return changes.isEmpty ? .done("\(users.count) entries exist") : .pending(changes)
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        guard !context.dryRun else {
            throw LDAPFailure(.configuration, operation: "ldap.create", message: "refusing to write during a dry-run")
        }
        let (client, p, users) = try prepare(step, context)
        let (missing, refused) = try await lookUp(users, client: client)
        var outputs = context.previousOutputs ?? StepOutputs()
        let items = missing.map { user in
            let e = Self.entry(p, user: user)
            return (user: user, dn: e.dn, attributes: e.attributes)
        }
        for item in items { outputs[Self.creatingKey(item.user)] = item.dn }
        try await context.checkpoint(outputs)
        let window = client.endpoint.window
        let failures = items.isEmpty ? [:] : try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: window).add(items)
        }
        var setAside = refused
        for (i, item) in items.enumerated() {
            if let failure = failures[i] {
                // Our own earlier attempt added it (it was missing when this step looked first).
                let ours = failure.code == LDAPResultCode(68) && context.previousOutputs?[Self.creatingKey(item.user)] == item.dn
                if !ours {
                    setAside.append((item.user, failure))
                    continue
                }
            }
            outputs[Self.createdKey(item.user)] = item.dn
        }
        let created = Self.created(in: outputs)
        outputs["ldap.created"] = String(created.count)
        // Durable before the replica wait, which may time out: rollback must know what was added.
        try await context.checkpoint(outputs)
        try await ReplicaWait(endpoint: client.endpoint).wait(for: created.map { .init(user: $0.user, dn: $0.dn, attributes: []) })
        guard setAside.isEmpty else { throw UsersSetAside(failures: setAside) }
        return outputs
    }

    private func prepare(_ step: StepInstance, _ context: StepContext) throws -> (DirectoryClient, LDAPCreateParameters, [String]) {
        guard let endpoint = context.directory else {
            throw LDAPFailure(.configuration, operation: "ldap.create", message: "the plan has no directory section")
        }
        return (DirectoryClient(endpoint: endpoint, log: { context.log($0) }), try step.parameters(LDAPCreateParameters.self), step.actingUsers)
    }

    /// The users without an entry, and those whose lookup failed otherwise (set aside).
    private func lookUp(_ users: [String], client: DirectoryClient) async throws -> ([String], [(user: String, failure: any StepFailure)]) {
        let endpoint = client.endpoint
        let results = try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: endpoint.window).lookup(
                users: users, base: endpoint.base, template: endpoint.userFilter, attributes: ["1.1"])
        }
        var missing: [String] = []
        var refused: [(user: String, failure: any StepFailure)] = []
        for (user, result) in zip(users, results) {
            switch result {
            case .success: break
            case .failure(let f) where f.reason == .noEntry: missing.append(user)
            case .failure(let f):
                if f.disposition == .transient { throw f }
                refused.append((user, f))
            }
        }
        return (missing, refused)
    }
}
