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

    /// The entry the template gives `user`: its DN and attributes (values in template order).
    /// `{user}` and `{column}` (a column of the user's `row`, any case) are filled in; a value
    /// that is exactly `{column}` takes each of the column's non-empty values (none: no value).
    static func entry(_ p: LDAPCreateParameters, user: String, row: [String: [String]]? = nil, token: String? = nil)
        -> (dn: String, attributes: [(name: String, values: [String])])
    {
        var attributes: [(name: String, values: [String])] = []
        for assignment in p.attributes {
            guard let eq = assignment.firstIndex(of: "=") else { continue }
            let name = String(assignment[..<eq])
            let template = String(assignment[assignment.index(after: eq)...])
            var values: [String]
            if let column = whole(template), column != "user" {
                values = (row?[column] ?? []).filter { !$0.isEmpty }
            } else {
                values = [fill(template, user: user, row: row) { $0 }]
            }
            if let i = attributes.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                attributes[i].values += values
            } else if !values.isEmpty {
                attributes.append((name, values))
            }
        }
        if let token {
            let marker = Self.marker(token: token)
            if let i = attributes.firstIndex(where: { $0.name.lowercased() == Self.markerAttribute }) {
                attributes[i].values.append(marker)
            } else {
                attributes.append((Self.markerAttribute, [marker]))
            }
        }
        return (fill(p.dn, user: user, row: row, escape: LDAPDistinguishedName.escape), attributes)
    }

    /// The column a template is exactly `{column}` of (lowercased), else nil.
    static func whole(_ template: String) -> String? {
        guard template.hasPrefix("{"), template.hasSuffix("}"), template.count > 2 else { return nil }
        let inner = template.dropFirst().dropLast()
        return inner.contains("{") || inner.contains("}") ? nil : inner.lowercased()
    }

    /// `template` with `{user}` and `{column}` replaced (each through `escape`); a placeholder
    /// without a value is left as written.
    static func fill(_ template: String, user: String, row: [String: [String]]?, escape: (String) -> String) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = rest[rest.index(after: open)..<close].lowercased()
            if name == "user" {
                out += escape(user)
            } else if let v = row?[name] {
                out += escape(v.first ?? "")
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The users of `users` the template can be filled for (all, unless it names a column).
    public static func creatable(_ users: some Collection<String>, _ p: LDAPCreateParameters) -> [String] {
        guard needsRow(p) else { return Array(users) }
        let rows = p.rowsByUser()
        return users.filter { rows[$0] != nil }
    }

    /// True when the template names a column (so a user without a row cannot be created).
    static func needsRow(_ p: LDAPCreateParameters) -> Bool {
        ([p.dn] + p.attributes).contains { t in
            var rest = t[...]
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                if rest[rest.index(after: open)..<close].lowercased() != "user" { return true }
                rest = rest[rest.index(after: close)...]
            }
            return false
        }
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let (client, p, users) = try prepare(step, context)
        let (found, refusedLookups, _) = try await lookUp(users, client: client)
        let (missing, refused) = Self.withRows(found, refusedLookups, p)
        let rows = p.rowsByUser()
        let changes = missing.map { user -> PlannedChange in
            let e = Self.entry(p, user: user, row: rows[user])
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
        let (lookedUp, refusedLookups, found) = try await lookUp(users, client: client)
        let (missing, refused) = Self.withRows(lookedUp, refusedLookups, p)
        let rows = p.rowsByUser()
        var outputs = context.previousOutputs ?? StepOutputs()
        let token = outputs[Self.tokenKey] ?? Self.newToken()
        outputs[Self.tokenKey] = token
        // Found, at the DN an earlier attempt checkpointed, with that attempt's marker: its add
        // landed before the crash that kept it from journaling `created.`.
        for (user, entry) in found {
            if Self.isOurs(entry, user: user, token: token, previous: context.previousOutputs) { outputs[Self.createdKey(user)] = entry.dn }
        }
        let items = missing.map { user in
            let e = Self.entry(p, user: user, row: rows[user], token: token)
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

    /// The missing users split by whether the template can be filled for them: one naming a
    /// column needs the user's row in `from` (without one the user is set aside, never given an
    /// entry with a placeholder left in it).
    static func withRows(_ missing: [String], _ refused: [(user: String, failure: any StepFailure)], _ p: LDAPCreateParameters)
        -> ([String], [(user: String, failure: any StepFailure)])
    {
        guard needsRow(p) else { return (missing, refused) }
        let rows = p.rowsByUser()
        var out = refused
        var ok: [String] = []
        for user in missing {
            if rows[user] != nil { ok.append(user) } else { out.append((user, NoCreateRow(user: user, file: p.from))) }
        }
        return (ok, out)
    }

    /// True when `entry` is the one an earlier attempt of this step added: at the DN it
    /// checkpointed for `user` and carrying the marker with the step's token.
    static func isOurs(_ entry: LDAPEntry, user: String, token: String, previous: StepOutputs?) -> Bool {
        guard let dn = previous?[creatingKey(user)], previous?[tokenKey] == token else { return false }
        return dn.lowercased() == entry.dn.lowercased() && entry.values(markerAttribute).contains(marker(token: token))
    }

    private func prepare(_ step: StepInstance, _ context: StepContext) throws -> (DirectoryClient, LDAPCreateParameters, [String]) {
        guard let endpoint = context.directory else {
            throw LDAPFailure(.configuration, operation: "ldap.create", message: "the plan has no directory section")
        }
        return (DirectoryClient(endpoint: endpoint, log: { context.log($0) }), try step.parameters(LDAPCreateParameters.self), step.actingUsers)
    }

    /// The users without an entry, those whose lookup failed otherwise (set aside), and the
    /// entries found (with the marker attribute, to recognise an earlier attempt's).
    private func lookUp(_ users: [String], client: DirectoryClient) async throws
        -> ([String], [(user: String, failure: any StepFailure)], [(user: String, entry: LDAPEntry)])
    {
        let endpoint = client.endpoint
        let results = try await client.withConnection { connection in
            try DirectoryPipeline(connection, window: endpoint.window).lookup(
                users: users, base: endpoint.base, template: endpoint.userFilter, attributes: [Self.markerAttribute])
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

/// A user whose entry is missing and whose template values would come from a users file that
/// has no row for them.
struct NoCreateRow: StepFailure {
    var user: String
    var file: String?
    var disposition: FailureDisposition { .permanent }
    var summary: String {
        "\(user): the entry is missing and \(file.map { "'\($0)'" } ?? "the users file") has no row for the user, so the template cannot be filled"
    }
    var hint: String? { "add the user's row to the file (then `mailshift resume`), or create the entry by hand" }
}
