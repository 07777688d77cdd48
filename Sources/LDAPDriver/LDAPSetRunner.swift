import Steps

/// The `ldap.set` driver: for every user of a batch, find the entry and replace the step's
/// attributes where they differ, pipelined over a few connections.
///
/// `apply` order, which makes it safe to interrupt anywhere:
/// 1. look every user up (pipelined); a user whose entry is missing or ambiguous is set aside;
/// 2. checkpoint `dn`/`prev`/`set` for every other user (previous values from an earlier attempt win);
/// 3. modify only the entries that differ (pipelined, bounded window); a user whose modify the
///    server refuses (an attribute its object classes forbid) is set aside too.
/// Set-aside users end the step with `UsersSetAside`, after everyone else's entry was written:
/// one bad entry does not hold the batch. A second apply finds nothing different and writes nothing.
public struct LDAPSetRunner: StepRunner {
    /// Connections used for one batch; each carries `DirectoryEndpoint.window` outstanding operations.
    public var connections: Int

    public init(connections: Int = 2) {
        self.connections = max(1, connections)
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let (client, request, users) = try prepare(step, context)
        let groups = try GroupTargets(step)
        let (differences, refused) = try await lookUp(users, groups: groups, request: request, client: client, projection: context.projection)
        if let projection = context.projection { project(differences, request, into: projection) }
        let changes = differences.flatMap(\.plannedChanges)
        if !refused.isEmpty {
            return .unknown(UsersSetAside(failures: refused).forecast, changes: changes)
        }
        return changes.isEmpty ? .done("\(users.count) entries already match") : .pending(changes)
    }

    /// Records each entry as this step leaves it, for the steps after it in a preview.
    private func project(_ differences: [EntryDifference], _ request: LDAPSetRequest, into projection: ProjectedState) {
        for d in differences {
            for a in request.wanted(for: d.user) {
                projection.record(.attribute(user: d.user, name: a.name.lowercased()), a.values)
            }
            if !d.missingClasses.isEmpty {
                let earlier = projection.values(.objectClasses(user: d.user)) ?? []
                projection.record(.objectClasses(user: d.user), earlier + d.missingClasses)
            }
        }
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        guard !context.dryRun else {
            throw LDAPFailure(.configuration, operation: "ldap.set", message: "refusing to write during a dry-run")
        }
        let (client, request, users) = try prepare(step, context)
        let (differences, refused) = try await lookUp(users, groups: try GroupTargets(step), request: request, client: client)

        var outputs = context.previousOutputs ?? StepOutputs()
        for d in differences {
            outputs[LDAPSetOutputs.dnKey(d.user)] = d.dn
            for a in request.wanted(for: d.user) {
                let key = LDAPSetOutputs.previousKey(d.user, a.name)
                if outputs[key] == nil {
                    let current = d.changes.first { $0.name == a.name }?.current ?? a.values
                    outputs[key] = LDAPSetOutputs.encode(current)
                }
                outputs[LDAPSetOutputs.setKey(d.user, a.name)] = LDAPSetOutputs.encode(a.values)
            }
            if !d.missingClasses.isEmpty {
                let earlier = outputs[LDAPSetOutputs.classesKey(d.user)].map(LDAPSetOutputs.decode) ?? []
                let added = earlier + d.missingClasses.filter { c in !earlier.contains { $0.lowercased() == c.lowercased() } }
                outputs[LDAPSetOutputs.classesKey(d.user)] = LDAPSetOutputs.encode(added)
            }
        }
        let pending = differences.filter { !$0.isEmpty }
        outputs[LDAPSetOutputs.written] = "0"
        outputs[LDAPSetOutputs.unchanged] = String(differences.count - pending.count)
        try await context.checkpoint(outputs)

        let failures = try await write(pending, client: client)
        outputs[LDAPSetOutputs.written] = String(pending.count - failures.count)
        // Done only when every replica reads the values back (written now or by an earlier attempt).
        let failed = Set(failures.compactMap(\.user))
        try await ReplicaWait(endpoint: client.endpoint).wait(
            for: differences.filter { !failed.contains($0.user) }.map { .init(user: $0.user, dn: $0.dn, attributes: request.wanted(for: $0.user)) })
        let setAside = refused + failures.map { (user: $0.user ?? "?", failure: $0 as any StepFailure) }
        guard setAside.isEmpty else {
            try await context.checkpoint(outputs)
            throw UsersSetAside(failures: setAside)
        }
        return outputs
    }

    // MARK: shared steps

    private func prepare(_ step: StepInstance, _ context: StepContext) throws -> (DirectoryClient, LDAPSetRequest, [String]) {
        guard let endpoint = context.directory else {
            throw LDAPFailure(.configuration, operation: "ldap.set", message: "the plan has no directory section")
        }
        let request = try LDAPSetRequest(parameters: step.parameters(LDAPSetParameters.self))
        let users = step.actingUsers
        return (DirectoryClient(endpoint: endpoint, log: { context.log($0) }), request, users)
    }

    /// Every found user's difference, and the users whose lookup failed permanently (transient
    /// failures are thrown: the whole step retries).
    private func lookUp(
        _ users: [String], groups: GroupTargets? = nil, request: LDAPSetRequest, client: DirectoryClient, projection: ProjectedState? = nil
    ) async throws -> (differences: [EntryDifference], refused: [(user: String, failure: any StepFailure)]) {
        let endpoint = client.endpoint
        let parts = slices(users.count, parts: connections)
        var results = try await client.withConnections(parts.count) { i, connection in
            try DirectoryPipeline(connection, window: endpoint.window).lookup(
                users: Array(users[parts[i]]), base: endpoint.base, template: endpoint.userFilter,
                attributes: request.readAttributes)
        }.flatMap { $0 }
        var keys = users
        if let groups {
            // Group entries are found by their own filter and base, and journaled as `group:<name>`.
            results += try await client.withConnections(1) { _, connection in
                try DirectoryPipeline(connection, window: endpoint.window).lookup(
                    users: groups.names, base: groups.base ?? endpoint.base, template: groups.template, attributes: request.readAttributes)
            }.flatMap { $0 }
            keys += groups.names.map(GroupTargets.key)
        }
        var differences: [EntryDifference] = []
        var refused: [(user: String, failure: any StepFailure)] = []
        for (user, result) in zip(keys, results) {
            switch result {
            case .success(let entry):
                let seen = projection.map { entry.projected(user: user, request.readAttributes, $0) } ?? entry
                differences.append(request.difference(user: user, entry: seen))
            case .failure(let f):
                if f.disposition == .transient { throw f }
                refused.append((user, f))
            }
        }
        return (differences, refused)
    }

    /// Sends the modifications; returns the permanent failures (transient ones are thrown).
    private func write(_ pending: [EntryDifference], client: DirectoryClient) async throws -> [LDAPFailure] {
        guard !pending.isEmpty else { return [] }
        let window = client.endpoint.window
        let parts = slices(pending.count, parts: connections)
        return try await client.withConnections(parts.count) { i, connection in
            let items = pending[parts[i]].map { (user: $0.user, dn: $0.dn, modifications: $0.modifications) }
            return try DirectoryPipeline(connection, window: window).modify(items).sorted { $0.key < $1.key }.map(\.value)
        }.flatMap { $0 }
    }
}
