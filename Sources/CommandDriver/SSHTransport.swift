import Foundation
import Steps

/// Runs argv arrays on a remote host through the system OpenSSH client: `connect: ssh`.
///
/// - The administrator's ssh setup applies (`~/.ssh/config`, agent, known_hosts) unless a
///   `configFile` is given. Batch mode (never a prompt) and strict host key checking (never an
///   automatic trust) are always on.
/// - Multiplexing: the first command to a host starts one master connection (`ssh -M -N -f` with
///   `ControlPersist`) whose socket lives in a private 0700 directory; every later command rides
///   on it, paying no handshake. If the master is gone, the next command starts a new one.
/// - Each argument is single-quoted for the remote shell (`ShellQuoting`): user data can never
///   become shell syntax there. The command's timeout is enforced remotely too (`timeout`),
///   since killing the local client leaves the remote command running.
/// - ssh's own failures throw a classified `CommandFailure` (unreachable: transient; host key or
///   authentication: permanent). A remote command's non-zero exit is returned, not thrown.
/// - Call `close()` when done: it stops the masters and removes the socket directory.
public final class SSHTransport: CommandTransport, AgentSessionOpening {
    public struct Configuration: Sendable {
        /// An ssh client config file used instead of `~/.ssh/config` (`ssh -F`).
        public var configFile: String?
        /// Share one connection per host (ControlMaster). Off: one fresh connection per command.
        public var multiplex: Bool
        /// Seconds an idle master stays up.
        public var controlPersist: Int
        /// Seconds allowed for the TCP connect and handshake.
        public var connectTimeout: Int
        /// Concurrent sessions per host through one master (sshd's `MaxSessions` defaults to 10).
        public var sessionsPerHost: Int
        /// Bytes of stdout and of stderr kept (the tail) per command.
        public var captureLimit: Int
        /// Where the private socket directory is made (short: socket paths are limited to ~100 bytes).
        public var socketParent: String
        /// What the ssh clients, and the masters that outlive them, do not inherit.
        public var environment: ChildEnvironment

        public init(
            configFile: String? = nil, multiplex: Bool = true, controlPersist: Int = 120, connectTimeout: Int = 10,
            sessionsPerHost: Int = 8, captureLimit: Int = 64 * 1024, socketParent: String = "/tmp",
            environment: ChildEnvironment = .inherited
        ) {
            self.configFile = configFile
            self.multiplex = multiplex
            self.controlPersist = controlPersist
            self.connectTimeout = connectTimeout
            self.sessionsPerHost = sessionsPerHost
            self.captureLimit = captureLimit
            self.socketParent = socketParent
            self.environment = environment
        }
    }

    public let configuration: Configuration
    private let options: SSHOptions
    private let masters: SSHControlMasters

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.options = SSHOptions(configFile: configuration.configFile, connectTimeout: configuration.connectTimeout)
        self.masters = SSHControlMasters(socketParent: configuration.socketParent, sessions: configuration.sessionsPerHost)
    }

    public func run(_ argv: [String], on host: HostEndpoint, stdin: Data?, timeout: Double) async throws -> CommandOutcome {
        let rendered = CommandFailure.render(argv)
        guard !argv.isEmpty else { throw CommandFailure(.invalidInput("empty argv"), host: host.name, command: rendered) }
        if argv.contains(where: { $0.utf8.contains(0) }) {
            throw CommandFailure(.invalidInput("an argument contains a NUL byte"), host: host.name, command: rendered)
        }
        let (prologue, slot) = try await clientArguments(for: host)
        var args = prologue
        args += ["--", host.address, ShellQuoting.commandLine(argv, deadline: timeout)]
        let result: ChildProcess.Result
        do {
            result = try await spawn(args, stdin: stdin, timeout: timeout, host: host, rendered: rendered)
        } catch {
            if let slot { await masters.release(slot) }
            throw error
        }
        if let slot { await masters.release(slot) }
        if let reason = SSHDiagnosis.classify(status: result.status, stderr: result.stderr) {
            if let slot, reason != .sshHostKey, reason != .sshAuthentication { await masters.forget(slot) }
            throw CommandFailure(reason, host: host.name, command: rendered, stderrTail: result.stderr.tailText(600))
        }
        return CommandOutcome(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// The ssh client's options for one command on `host`: the policy's, then the host's master
    /// (a session slot the caller releases), or no multiplexing.
    private func clientArguments(for host: HostEndpoint) async throws -> ([String], SSHControlMasters.Slot?) {
        try options.validate(host)
        let args = options.common(for: host)
        guard configuration.multiplex else { return (args + ["-o", "ControlMaster=no", "-o", "ControlPath=none"], nil) }
        let slot = try await masters.acquire(for: host) { socket in try await self.startMaster(host, socket: socket) }
        return (args + ["-o", "ControlMaster=no", "-o", "ControlPath=\(slot.socket)"], slot)
    }

    /// A long-lived session running `argv` (the agent), on the host's master like `run`; it holds
    /// its session slot until `AgentSession.close()`. No remote deadline wrapper: the agent ends
    /// by itself when the session closes (EOF on its stdin, a broken pipe on its stdout).
    public func openSession(_ argv: [String], on host: HostEndpoint) async throws -> AgentSession {
        guard !argv.isEmpty, !argv.contains(where: { $0.utf8.contains(0) }) else {
            throw CommandFailure(.invalidInput("empty argv or a NUL byte"), host: host.name, command: CommandFailure.render(argv))
        }
        let (prologue, slot) = try await clientArguments(for: host)
        var args = prologue
        args += ["--", host.address, ShellQuoting.commandLine(argv)]
        let masters = self.masters
        var release: (@Sendable () async -> Void)?
        if let slot { release = { await masters.release(slot) } }
        do {
            let session = try AgentSession.spawn(args, host: host, environment: configuration.environment, release: release)
            session.handshakeTimeout = Double(configuration.connectTimeout) + 10
            return session
        } catch {
            await release?()
            throw error
        }
    }

    /// Stops the masters and removes the socket directories a dead run left in this transport's
    /// socket parent; one line per directory (say them: they are the run's own leftovers).
    public func reapLeftovers() -> [String] {
        ControlSocketReaper.reap(parent: configuration.socketParent, sshConfigFile: configuration.configFile)
    }

    /// Stops every master connection and removes the private socket directory.
    public func close() async {
        for (host, socket) in await masters.closeAll() {
            let args = options.common(for: host) + ["-o", "ControlPath=\(socket)", "-O", "exit", "--", host.address]
            _ = try? await ChildProcess(argv: args, stdin: nil, timeout: 10, captureLimit: 4096,
                environment: configuration.environment).run()
        }
        await masters.removeDirectory()
    }

    private func startMaster(_ host: HostEndpoint, socket: String) async throws {
        var args = options.common(for: host)
        args += ["-o", "ControlMaster=yes", "-o", "ControlPath=\(socket)", "-o", "ControlPersist=\(configuration.controlPersist)"]
        args += ["-N", "-f", "--", host.address]
        let timeout = Double(configuration.connectTimeout) + 20
        let result = try await spawn(args, stdin: nil, timeout: timeout, host: host, rendered: "ssh -M \(host.address)")
        guard result.status == 0 else {
            let reason = SSHDiagnosis.classify(status: result.status, stderr: result.stderr) ?? .sshFailed
            throw CommandFailure(reason, host: host.name, command: "ssh \(host.address)", stderrTail: result.stderr.tailText(600))
        }
    }

    private func spawn(_ args: [String], stdin: Data?, timeout: Double, host: HostEndpoint, rendered: String) async throws -> ChildProcess.Result {
        let child = ChildProcess(argv: args, stdin: stdin, timeout: timeout, captureLimit: configuration.captureLimit,
            environment: configuration.environment)
        let result: ChildProcess.Result
        do {
            result = try await child.run()
        } catch {
            switch error {
            case .cancelled: throw CancellationError()
            case .invalidArgument(let why): throw CommandFailure(.invalidInput(why), host: host.name, command: rendered)
            case .spawn(let e): throw CommandFailure(.spawnFailed(errno: e), host: host.name, command: "ssh")
            }
        }
        if result.timedOut {
            throw CommandFailure(.timedOut(seconds: timeout), host: host.name, command: rendered, stderrTail: result.stderr.tailText(600))
        }
        return result
    }
}
