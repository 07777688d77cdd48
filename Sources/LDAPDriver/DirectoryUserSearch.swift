import Steps

/// Resolves a batch's `users_from: {filter: ...}`: a paged search under the base, returning the
/// user names (the attribute the user filter matches on, `uid` in `(uid={user})`), sorted and
/// without duplicates, for the executor to journal so that a resume moves the same users.
public struct DirectoryUserSearch: Sendable {
    public var client: DirectoryClient
    public var pageSize: Int

    public init(client: DirectoryClient, pageSize: Int = 500) {
        self.client = client
        self.pageSize = max(1, pageSize)
    }

    public init(endpoint: DirectoryEndpoint, pageSize: Int = 500, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.init(client: DirectoryClient(endpoint: endpoint, log: log), pageSize: pageSize)
    }

    /// The names of the users whose entries match `filter` (an LDAP filter the plan gives verbatim).
    public func users(matching filter: String) async throws -> [String] {
        let endpoint = client.endpoint
        let attribute = LDAPFilter.namingAttribute(template: endpoint.userFilter)
        let pageSize = self.pageSize
        let entries = try await client.withConnection { connection in
            try connection.pagedSearch(base: endpoint.base, filter: filter, attributes: [attribute], pageSize: pageSize)
        }
        return Array(Set(entries.flatMap { $0.values(attribute) })).sorted()
    }
}
