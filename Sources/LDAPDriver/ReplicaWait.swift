import Foundation
import Steps

/// `directory.replicas`: after a directory step writes to the provider, the MTA and the store
/// may read a replica; the step is done only when every replica reads back its values. Each
/// replica is read (by DN, with the step's own credentials) until all entries match, or until
/// `replicaTimeout` seconds pass: then the step fails naming the lagging replica and an entry
/// it still shows the old value for. A resume writes nothing new and waits again.
struct ReplicaWait: Sendable {
    struct Expected: Sendable {
        var user: String
        var dn: String
        var attributes: [(name: String, values: [String])]
    }

    let endpoint: DirectoryEndpoint
    /// Seconds between reads of a lagging replica.
    var interval = 0.25

    func wait(for expected: [Expected]) async throws {
        guard let replicas = endpoint.replicas, !replicas.isEmpty, !expected.isEmpty else { return }
        let timeout = Double(endpoint.replicaTimeout ?? 60)
        let start = Date()
        for url in replicas {
            var replica = endpoint
            replica.url = url
            replica.replicas = nil
            let names = Array(Set(expected.flatMap { $0.attributes.map(\.name) })).sorted()
            while true {
                let lag = try await firstLag(expected, replica: replica, attributes: names)
                guard let lag else { break }
                if Date().timeIntervalSince(start) >= timeout { throw ReplicaLag(url: url, seconds: Int(timeout), detail: lag) }
                try await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    /// The first entry the replica does not show as expected (nil: all match). An unreachable
    /// replica or a missing entry counts as lagging.
    private func firstLag(_ expected: [Expected], replica: DirectoryEndpoint, attributes: [String]) async throws -> String? {
        let entries = expected.map { (user: $0.user, dn: $0.dn) }
        let results: [Result<LDAPEntry, LDAPFailure>]
        do {
            results = try await DirectoryClient(endpoint: replica).withConnection { connection in
                try DirectoryPipeline(connection, window: replica.window).read(entries, attributes: attributes)
            }
        } catch let failure as LDAPFailure {
            return "cannot read it: \(failure.summary)"
        }
        for (e, result) in zip(expected, results) {
            guard case .success(let entry) = result else { return "\(e.dn) is not there yet" }
            for a in e.attributes where !LDAPValues.equal(entry.values(a.name), a.values) {
                return "\(e.dn): \(a.name) is \(LDAPValues.render(entry.values(a.name))), expected \(LDAPValues.render(a.values))"
            }
        }
        return nil
    }
}

/// A replica did not read back a directory step's values in time.
public struct ReplicaLag: StepFailure, Hashable {
    public var url: String
    public var seconds: Int
    public var detail: String

    public var disposition: FailureDisposition { .permanent }
    public var summary: String { "replica \(url) has not caught up after \(seconds) s: \(detail)" }
    public var hint: String? {
        "check that the replica runs and replicates from the provider (syncrepl); raise directory.replica_timeout for a slow one; `mailshift resume` waits again"
    }
}
