import Steps

/// The directory half of preflight: the bind works, every user's entry exists and is unique
/// (looked up in batched searches, as `ldap.set` does), and each entry's object classes —
/// with those the plan adds — allow every attribute the plan writes (from the subschema).
public struct DirectoryPreflight: Sendable {
    /// What the plan's directory steps need of one user's entry.
    public struct Need: Sendable {
        public var attributes: Set<String> = []
        public var objectClasses: Set<String> = []
        public init() {}
    }

    public var client: DirectoryClient

    public init(endpoint: DirectoryEndpoint) {
        client = DirectoryClient(endpoint: endpoint)
    }

    /// Users → what is written to their entry. Returns the bind, entries and schema checks.
    /// A user in `created` (user → the DN `directory.create` will give the entry) whose entry is
    /// missing is not a problem: the entries check lists those entries instead.
    public func check(_ needs: [String: Need], created: [String: String] = [:]) async -> [PreflightCheck] {
        let endpoint = client.endpoint
        let users = needs.keys.sorted()
        do {
            let (results, definitions) = try await client.withConnection { connection in
                let pipeline = DirectoryPipeline(connection, window: endpoint.window)
                let results = try pipeline.lookup(
                    users: users, base: endpoint.base, template: endpoint.userFilter, attributes: ["objectClass"])
                return (results, Self.objectClassDefinitions(pipeline))
            }
            let searches = DirectoryPipeline.lookupSearches(users.count, template: endpoint.userFilter)
            let bind = PreflightCheck(
                "directory.bind", detail: "bound to \(endpoint.url) as \(endpoint.bindDN ?? "anonymous")")
            var missing: [PreflightCheck.Problem] = []
            var toCreate: [String] = []
            var forbidden: [PreflightCheck.Problem] = []
            let schema = DirectorySchema(objectClassDefinitions: definitions)
            var allowedByClasses: [Set<String>: Set<String>?] = [:]
            for (user, result) in zip(users, results) {
                switch result {
                case .failure(let f) where f.reason == .noEntry && created[user] != nil:
                    toCreate.append(created[user] ?? user)
                case .failure(let f):
                    missing.append(.init(subject: user, reason: f.summary, hint: f.hint))
                case .success(let entry):
                    guard !schema.isEmpty, let need = needs[user] else { continue }
                    // Entries share a few class sets: each set is resolved along SUP once.
                    let classes = Set((entry.values("objectClass") + need.objectClasses).map { $0.lowercased() })
                    let known = allowedByClasses[classes]
                    let resolved = known ?? schema.allowed(by: Array(classes))
                    if known == nil { allowedByClasses[classes] = .some(resolved) }
                    guard let allowed = resolved else { continue }
                    for attribute in need.attributes.sorted() where !allowed.contains(attribute.lowercased()) {
                        let fixes = schema.classes(allowing: attribute)
                        forbidden.append(.init(
                            subject: user,
                            reason: "\(entry.dn): its object classes (\(entry.values("objectClass").joined(separator: ", "))) do not allow \(attribute)",
                            hint: fixes.isEmpty
                                ? "no object class in the schema allows \(attribute): load the schema that defines it"
                                : "add \(fixes.prefix(3).joined(separator: " or ")) to the entry, or list it in the plan's `object_classes`"))
                    }
                }
            }
            let entries = PreflightCheck(
                "directory.entries",
                detail: "\(users.count) users looked up in \(searches) search\(searches == 1 ? "" : "es") (+\(missing.count + toCreate.count) single ones)"
                    + (toCreate.isEmpty ? "" : "; \(toCreate.count) to be created (directory.create): " + toCreate.prefix(10).joined(separator: "; ")
                        + (toCreate.count > 10 ? " …" : "")),
                problems: missing)
            let schemaCheck = schema.isEmpty
                ? PreflightCheck("directory.schema", detail: "the subschema could not be read: attributes not checked", skipped: true)
                : PreflightCheck("directory.schema", detail: "each entry's object classes allow the attributes the plan writes", problems: forbidden)
            return [bind, entries, schemaCheck]
        } catch let failure as LDAPFailure {
            return [PreflightCheck("directory.bind", detail: "\(endpoint.url)",
                problems: [.init(subject: endpoint.url, reason: failure.summary, hint: failure.hint)])]
        } catch {
            return [PreflightCheck("directory.bind", detail: "\(endpoint.url)",
                problems: [.init(subject: endpoint.url, reason: "\(error)")])]
        }
    }

    /// The subschema's objectClasses values (root DSE → subschemaSubentry); empty if unreadable.
    static func objectClassDefinitions(_ pipeline: DirectoryPipeline) -> [String] {
        let root = DirectoryPipeline.Query(user: "", base: "", filter: "(objectClass=*)", baseOnly: true)
        guard let answer = try? pipeline.searchEach([root], attributes: ["subschemaSubentry"]).first,
            case .success(let entries) = answer.entries,
            let dn = entries.first?.values("subschemaSubentry").first
        else { return [] }
        let query = DirectoryPipeline.Query(user: "", base: dn, filter: "(objectClass=subschema)", baseOnly: true)
        guard let answer = try? pipeline.searchEach([query], attributes: ["objectClasses"]).first,
            case .success(let schema) = answer.entries
        else { return [] }
        return schema.first?.values("objectClasses") ?? []
    }
}
