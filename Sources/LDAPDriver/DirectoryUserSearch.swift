import Diagnostics
import Steps

/// Resolves a batch's `users_from: {filter: ...}`: a paged search under the base, returning the
/// user names (the attribute the user filter matches on, `uid` in `(uid={user})`), sorted and
/// without duplicates, for the executor to journal so that a resume moves the same users.
///
/// Directory values are input like any other: each must be a portable name (the test plan names
/// pass too), and an entry must have exactly one naming value. A user who may edit her own entry
/// could otherwise add `uid: root` and pull `root` into the batch.
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
    /// Throws `LDAPFailure` when the search fails, and `DirectoryUsersRefused` (diagnostics naming
    /// each unusable entry's DN) when the entries found cannot be trusted as user names.
    public func users(matching filter: String) async throws -> [String] {
        let endpoint = client.endpoint
        let attribute = LDAPFilter.namingAttribute(template: endpoint.userFilter)
        let pageSize = self.pageSize
        let entries = try await client.withConnection { connection in
            try connection.pagedSearch(base: endpoint.base, filter: filter, attributes: [attribute], pageSize: pageSize)
        }
        let (names, problems) = Self.names(of: entries, attribute: attribute, filter: filter)
        if problems.hasErrors { throw DirectoryUsersRefused(diagnostics: problems) }
        return names
    }

    /// Each entry's single naming value, sorted and unique, and a problem for every entry with
    /// several values or one that is not a portable name. Entries without the attribute are not
    /// users and are skipped.
    static func names(of entries: [LDAPEntry], attribute: String, filter: String) -> ([String], DiagnosticList) {
        var names = Set<String>()
        var problems = DiagnosticList()
        var bad = 0
        func report(_ d: @autoclosure () -> Diagnostic) {
            bad += 1
            if bad <= Diagnostic.directoryReportLimit { problems.append(d()) }
        }
        for entry in entries {
            let values = entry.values(attribute)
            guard let value = values.first else { continue }
            if values.count > 1 {
                report(.multiValuedName(dn: entry.dn, attribute: attribute, count: values.count, filter: filter))
            } else if !PortableName.isPortable(value) {
                report(.directoryNameNotPortable(value, dn: entry.dn, attribute: attribute, filter: filter))
            } else {
                names.insert(value)
            }
        }
        if bad > Diagnostic.directoryReportLimit {
            problems.append(Diagnostic(.note, "ldap.more", "\(bad - Diagnostic.directoryReportLimit) more unusable entries not shown"))
        }
        return (names.sorted(), problems)
    }
}
