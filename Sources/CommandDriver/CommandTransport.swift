import Foundation
import Steps

/// The outcome of running an argv on a host.
public struct CommandOutcome: Sendable, Hashable {
    public var status: Int32
    /// Bounded captures (the tail is kept when output is large).
    public var stdout: Data
    public var stderr: Data

    public init(status: Int32, stdout: Data, stderr: Data) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs argv arrays on a plan host: directly (no shell) for `connect: local`, through the system
/// OpenSSH client for `connect: ssh`. The shared way every driver reaches a host.
///
/// Contract: `run` never passes anything through a local shell; for
/// ssh each argument is quoted for the remote shell; `timeout` kills the command; failures of the
/// transport itself (unreachable, auth, host key) throw a classified `StepFailure`.
public protocol CommandTransport: Sendable {
    func run(_ argv: [String], on host: HostEndpoint, stdin: Data?, timeout: Double) async throws -> CommandOutcome
}
