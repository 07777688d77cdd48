import Foundation
import Steps
import SystemCalls

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
        let child = ChildProcess(argv: argv, stdin: stdin, timeout: timeout, captureLimit: captureLimit, environment: environment)
        let outcome: Result<ChildProcess.Result, ChildProcess.SpawnError>
        do {
            outcome = .success(try await child.run())
        } catch {
            outcome = .failure(error)
        }
        return try Self.outcome(outcome, argv: argv, host: host, timeout: timeout)
    }

    /// The same from blocking code on a thread of its own (an agent serving a request): `cancel`
    /// ends the child's process group as a cancelled task does.
    public func runBlocking(_ argv: [String], on host: HostEndpoint, stdin: Data?, timeout: Double, cancel: CancelFlag) throws -> CommandOutcome {
        let child = ChildProcess(argv: argv, stdin: stdin, timeout: timeout, captureLimit: captureLimit, environment: environment)
        var outcome = child.runBlocking(cancel: cancel)
        if case .success(let r) = outcome, r.cancelled { outcome = .failure(.cancelled) }
        return try Self.outcome(outcome, argv: argv, host: host, timeout: timeout)
    }

    static func outcome(
        _ outcome: Result<ChildProcess.Result, ChildProcess.SpawnError>, argv: [String], host: HostEndpoint, timeout: Double
    ) throws -> CommandOutcome {
        let rendered = CommandFailure.render(argv)
        let result: ChildProcess.Result
        switch outcome {
        case .success(let r): result = r
        case .failure(.cancelled): throw CancellationError()
        case .failure(.invalidArgument(let why)): throw CommandFailure(.invalidInput(why), host: host.name, command: rendered)
        case .failure(.spawn(let e)): throw CommandFailure(.spawnFailed(errno: e), host: host.name, command: rendered)
        }
        if result.timedOut {
            throw CommandFailure(
                .timedOut(seconds: timeout), host: host.name, command: rendered, stderrTail: result.stderr.tailText(600))
        }
        return CommandOutcome(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}
