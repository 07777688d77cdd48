import Foundation
import Steps

/// The transport drivers are given: picks the local or the ssh transport by the host's `connect`.
public struct HostTransport: CommandTransport, AgentSessionOpening {
    public let local: LocalTransport
    public let ssh: SSHTransport

    public init(local: LocalTransport = LocalTransport(), ssh: SSHTransport = SSHTransport()) {
        self.local = local
        self.ssh = ssh
    }

    public func run(_ argv: [String], on host: HostEndpoint, stdin: Data?, timeout: Double) async throws -> CommandOutcome {
        switch host.connect {
        case .local: try await local.run(argv, on: host, stdin: stdin, timeout: timeout)
        case .ssh: try await ssh.run(argv, on: host, stdin: stdin, timeout: timeout)
        }
    }

    public func openSession(_ argv: [String], on host: HostEndpoint) async throws -> AgentSession {
        switch host.connect {
        case .local: try AgentSession.spawn(argv, host: host, environment: local.environment, release: nil)
        case .ssh: try await ssh.openSession(argv, on: host)
        }
    }

    /// Stops the ssh master connections.
    public func close() async { await ssh.close() }
}
