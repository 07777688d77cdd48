import Steps

/// `ldap.create`: for every user of a batch whose entry the user filter does not find, add one
/// from the plan's template (`directory.create`). Users whose entry exists are left alone.
///
/// `apply` order, safe to interrupt anywhere:
/// 1. look every user up; a missing entry is to be created, an ambiguous one sets the user aside;
/// 2. checkpoint `creating.<user>` = DN for each entry about to be added, and the step's random
///    token (`ldap.create-token`, kept across attempts);
/// 3. add them (pipelined), each carrying the marker value `description: mailshift-created
///    <token>`; each added entry is journaled as `created.<user>` = DN.
/// An entry found (or "already exists") at a DN this step had checkpointed counts as created only
/// if it carries the marker with this step's token: an attempt whose add landed before a crash
/// is recognised, an entry someone else added meanwhile (who cannot know the token) never is.
/// Rollback deletes only `created.` entries: never one mailshift did not add.
public struct LDAPCreateRunner: StepRunner {
    public init() {}

    public static func createdKey(_ user: String) -> String { "created.\(user)" }
    static func creatingKey(_ user: String) -> String { "creating.\(user)" }
    static let tokenKey = "ldap.create-token"
    /// Allowed by `person`, `organizationalPerson`, `inetOrgPerson`, `account` and the group
    /// classes, and multi-valued: a template's own description is kept beside the marker.
    public static let markerAttribute = "description"
    public static func marker(token: String) -> String { "mailshift-created \(token)" }

    /// 128 random bits, hex.
    static func newToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(g.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The users an `ldap.create` step's outputs say it created, with their DNs.
    public static func created(in outputs: StepOutputs) -> [(user: String, dn: String)] {
        outputs.values.keys.filter { $0.hasPrefix("created.") }.sorted().compactMap { key in
            outputs[key].map { (String(key.dropFirst("created.".count)), $0) }
        }
    }

    /// The users of `users` the template can be filled for (all, unless it names a column).
    public static func creatable(_ users: some Collection<String>, _ p: LDAPCreateParameters) -> [String] {
        let template = CreateTemplate(p)
        return users.filter { template.refusal($0) == nil }
    }

    /// The DN the template gives each of `users` it can be filled for (what preflight shows).
    public static func dns(_ users: some Collection<String>, _ p: LDAPCreateParameters) -> [String: String] {
        let template = CreateTemplate(p)
        return Dictionary(
            users.filter { template.refusal($0) == nil }.map { ($0, template.entry($0).dn) }, uniquingKeysWith: { a, _ in a })
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let (client, template, users) = try prepare(step, context)
        let (found, refusedLookups, _) = try await lookUp(users, client: client, markers: false)
        let (missing, refused) = Self.fillable(found, refusedLookups, template)
        let changes = missing.map { user -> PlannedChange in
            let e = template.entry(user)
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
        let (client, template, users) = try prepare(step, context)
        // An earlier attempt's token: only then can an entry found be one it added.
        let (lookedUp, refusedLookups, found) = try await lookUp(
            users, client: client, markers: context.previousOutputs?[Self.tokenKey] != nil)
        let (missing, refused) = Self.fillable(lookedUp, refusedLookups, template)
        var outputs = context.previousOutputs ?? StepOutputs()
        let token = outputs[Self.tokenKey] ?? Self.newToken()
        outputs[Self.tokenKey] = token
        // Found, at the DN an earlier attempt checkpointed, with that attempt's marker: its add
        // landed before the crash that kept it from journaling `created.`.
        for (user, entry) in found {
            if Self.isOurs(entry, user: user, token: token, previous: context.previousOutputs) { outputs[Self.createdKey(user)] = entry.dn }
        }
        let items = missing.map { user in
            let e = template.entry(user, token: token)
            return (user: user, dn: e.dn, attributes: e.attributes)
        }
        for item in items { outputs[Self.creatingKey(item.user)] = item.dn }
        try await context.checkpoint(outputs)
        let window = client.endpoint.window
        let failures = items.isEmpty ? [:] : try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: window).add(items)
        }
        // "Already exists": ours only with our marker (an earlier attempt of this step added it).
        let exists = failures.filter { $0.value.code == LDAPResultCode(68) }.keys.sorted()
        let existing = exists.isEmpty ? [] : try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: window).read(exists.map { (items[$0].user, items[$0].dn) }, attributes: [Self.markerAttribute])
        }
        var ours = Set<Int>()
        for (i, result) in zip(exists, existing) {
            if case .success(let entry) = result, entry.values(Self.markerAttribute).contains(Self.marker(token: token)) { ours.insert(i) }
        }
        var setAside = refused
        for (i, item) in items.enumerated() {
            if let failure = failures[i], !ours.contains(i) {
                setAside.append((item.user, failure))
                continue
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

    /// The missing users split by whether the template can be filled for them (a user it cannot
    /// be filled for is set aside, never given an entry with a placeholder left in it).
    static func fillable(_ missing: [String], _ refused: [(user: String, failure: any StepFailure)], _ template: CreateTemplate)
        -> ([String], [(user: String, failure: any StepFailure)])
    {
        var out = refused
        var ok: [String] = []
        for user in missing {
            if let refusal = template.refusal(user) { out.append((user, refusal)) } else { ok.append(user) }
        }
        return (ok, out)
    }

    /// True when `entry` is the one an earlier attempt of this step added: at the DN it
    /// checkpointed for `user` and carrying the marker with the step's token.
    static func isOurs(_ entry: LDAPEntry, user: String, token: String, previous: StepOutputs?) -> Bool {
        guard let dn = previous?[creatingKey(user)] else { return false }
        return dn.lowercased() == entry.dn.lowercased() && entry.values(markerAttribute).contains(marker(token: token))
    }

    private func prepare(_ step: StepInstance, _ context: StepContext) throws -> (DirectoryClient, CreateTemplate, [String]) {
        guard let endpoint = context.directory else {
            throw LDAPFailure(.configuration, operation: "ldap.create", message: "the plan has no directory section")
        }
        return (DirectoryClient(endpoint: endpoint, log: { context.log($0) }), CreateTemplate(try step.parameters(LDAPCreateParameters.self)), step.actingUsers)
    }

    /// The users without an entry, those whose lookup failed otherwise (set aside), and the
    /// entries found (with `markers`, their marker values, to recognise an earlier attempt's).
    private func lookUp(_ users: [String], client: DirectoryClient, markers: Bool) async throws
        -> ([String], [(user: String, failure: any StepFailure)], [(user: String, entry: LDAPEntry)])
    {
        let endpoint = client.endpoint
        let results = try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: endpoint.window).lookup(
                users: users, base: endpoint.base, template: endpoint.userFilter, attributes: markers ? [Self.markerAttribute] : ["1.1"])
        }
        var missing: [String] = []
        var refused: [(user: String, failure: any StepFailure)] = []
        var found: [(user: String, entry: LDAPEntry)] = []
        for (user, result) in zip(users, results) {
            switch result {
            case .success(let entry): found.append((user, entry))
            case .failure(let f) where f.reason == .noEntry: missing.append(user)
            case .failure(let f):
                if f.disposition == .transient { throw f }
                refused.append((user, f))
            }
        }
        return (missing, refused, found)
    }
}
