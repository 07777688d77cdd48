import Dispatch
import Foundation
import Steps
import SystemCalls

/// Opens connections for a `DirectoryEndpoint` and runs blocking libldap work off Swift's
/// cooperative thread pool (a libldap call may wait for seconds on the network).
///
/// Every call opens fresh connections, so a retry after slapd restarted simply reconnects.
/// The password is resolved here, at use, and never leaves this type.
public struct DirectoryClient: Sendable {
    public var endpoint: DirectoryEndpoint
    private let log: @Sendable (String) -> Void

    public init(endpoint: DirectoryEndpoint, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.log = log
    }

    /// Runs `body` with one bound connection on a dedicated thread, closing it afterwards. A
    /// cancelled step returns at once; the connection's waits see the flag and stop, and closing
    /// it abandons its operations (a bind in progress ends at its own timeout, or at exit).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (LDAPConnection) throws -> T) async throws -> T {
        let endpoint = self.endpoint
        let log = self.log
        return try await ThreadedWork.run(onCancel: .abandonWork) { cancel in
            let password = try Self.resolve(endpoint.password)
            let connection = try LDAPConnection(endpoint: endpoint, password: password, log: log)
            connection.cancel = cancel
            defer { connection.close() }
            return try body(connection)
        }
    }

    /// Runs `body` once per connection, each on its own thread, all at once (`count` ≥ 1).
    func withConnections<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int, LDAPConnection) throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for i in 0..<max(1, count) {
                group.addTask { (i, try await withConnection { try body(i, $0) }) }
            }
            var results: [(Int, T)] = []
            for try await r in group { results.append(r) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The bind password from the environment or a private file (`SecretSource`).
    static func resolve(_ secret: SecretReference?) throws -> String? {
        guard let secret else { return nil }
        do {
            return try SecretSource.value(of: secret)
        } catch {
            throw LDAPFailure(.configuration, operation: "bind", secret: error)
        }
    }
}
