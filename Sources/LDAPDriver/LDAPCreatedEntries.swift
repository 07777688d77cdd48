import Steps

/// Rollback of `ldap.create`: deletes the entries a batch's create steps journaled as created
/// (`created.<user>`), and only those; an entry already gone counts as deleted.
public struct LDAPCreatedEntries: Sendable {
    public let endpoint: DirectoryEndpoint
    public let entries: [(user: String, dn: String)]

    public init(endpoint: DirectoryEndpoint, steps outputs: [StepOutputs]) {
        self.endpoint = endpoint
        self.entries = outputs.flatMap(LDAPCreateRunner.created(in:))
    }

    /// One preview line per entry.
    public var lines: [String] { entries.map { "- \($0.dn): delete the entry (mailshift created it)" } }

    /// Deletes them; throws the first failure after trying every entry.
    public func delete(log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        let items = entries
        let window = endpoint.window
        let failures = try await DirectoryClient(endpoint: endpoint, log: log).withConnection { connection in
            try DirectoryPipeline(connection, window: window).delete(items)
        }
        let real = failures.values.filter { $0.code != .noSuchObject }
        if let first = real.sorted(by: { ($0.dn ?? "") < ($1.dn ?? "") }).first { throw first }
        return items.count
    }
}
