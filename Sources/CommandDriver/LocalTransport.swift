import Foundation
import Steps

/// Runs argv arrays on this machine, directly with `posix_spawnp` (no shell): `connect: local`.
public struct LocalTransport: CommandTransport {
    /// Bytes of stdout and of stderr kept (the tail) per command.
    public var captureLimit: Int
    /// What children do not inherit (the plan's secret variables).
    public var environment: ChildEnvironment

    public init(captureLimit: Int = 64 * 1024, environment: ChildEnvironment = .inherited) {
        self.captureLimit = captureLimit
        self.environment = environment
    }

    public func run(_ argv: [String], on host: HostEndpoint, stdin: Data?, timeout: Double) async throws -> CommandOutcome {
        let child = ChildProcess(argv: argv, stdin: stdin, timeout: timeout, captureLimit: captureLimit,
            environment: environment)
        let rendered = CommandFailure.render(argv)
        let result: ChildProcess.Result
        do {
            result = try await child.run()
        } catch {
            switch error {
            case .cancelled: throw CancellationError()
            case .invalidArgument(let why): throw CommandFailure(.invalidInput(why), host: host.name, command: rendered)
            case .spawn(let e): throw CommandFailure(.spawnFailed(errno: e), host: host.name, command: rendered)
            }
        }
        if result.timedOut {
            throw CommandFailure(
                .timedOut(seconds: timeout), host: host.name, command: rendered, stderrTail: result.stderr.tailText(600))
        }
        return CommandOutcome(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}
