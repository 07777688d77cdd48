import CommandDriver
import Foundation
import Steps
import Synchronization

/// Runs mailshift itself on a remote host (`connect: ssh`) and reads its JSON: the spool is read
/// where it lives, so no mailbox crosses the network twice and the lock convention is the host's.
///
/// Deployment and the version check are described in docs/mailbox.md: the same mailshift version
/// must be installed on the host (`mailshift --version` is compared before the first use on each
/// host, once per run).
public struct MailboxAgent: Sendable {
    public var transport: any CommandTransport
    /// The agent's path on remote hosts.
    public var executable: String
    /// The version the remote `mailshift --version` must print (nil: not checked).
    public var expectedVersion: String?

    public init(transport: any CommandTransport, executable: String = "mailshift", expectedVersion: String? = nil) {
        self.transport = transport
        self.executable = executable
        self.expectedVersion = expectedVersion
    }

    /// Runs `mailshift <arguments>` on `host` and decodes its JSON standard output.
    func call<T: Decodable>(_ arguments: [String], on host: HostEndpoint, timeout: Double, as: T.Type) async throws -> T {
        try await checkVersion(host)
        let outcome = try await transport.run([executable] + arguments, on: host, stdin: nil, timeout: timeout)
        guard outcome.status == 0 else {
            let err = outcome.stderr.tailText(2000)
            throw MailboxFailure(
                .agentFailed(command: arguments.prefix(2).joined(separator: " "), status: outcome.status, stderrTail: err), host: host.name)
        }
        do {
            return try JSONDecoder().decode(T.self, from: outcome.stdout)
        } catch {
            throw MailboxFailure(.agentUnreadable(detail: "JSON: \(error)"), host: host.name)
        }
    }

    func checkVersion(_ host: HostEndpoint) async throws {
        guard let expectedVersion else { return }
        // Once per host per run (a run is one process): not before every call.
        let key = [executable, expectedVersion, host.address, host.user ?? "", host.port.map(String.init) ?? ""].joined(separator: "\u{1}")
        guard !AgentVersionChecks.shared.contains(key) else { return }
        let outcome = try await transport.run([executable, "--version"], on: host, stdin: nil, timeout: 60)
        let got = String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard outcome.status == 0, got == expectedVersion else {
            throw MailboxFailure(
                .agentVersion(found: got, status: outcome.status, expected: expectedVersion, executable: executable, address: host.address),
                host: host.name)
        }
        AgentVersionChecks.shared.insert(key)
    }
}

/// The hosts whose agent version this process has checked (only a match is remembered).
final class AgentVersionChecks: Sendable {
    static let shared = AgentVersionChecks()
    private let checked = Mutex<Set<String>>([])

    func contains(_ key: String) -> Bool { checked.withLock { $0.contains(key) } }
    func insert(_ key: String) { _ = checked.withLock { $0.insert(key) } }
}

extension StepInstance {
    /// The host the step runs on, when it is remote.
    var remoteHost: HostEndpoint? { host?.connect == .ssh ? host : nil }
    /// The host for command stores: the step's, or this machine.
    var commandHost: HostEndpoint { host ?? HostEndpoint(name: "local", address: "localhost", connect: .local) }
}
