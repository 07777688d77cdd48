import Foundation
import Steps
import SystemCalls

/// A running `mailshift agent` on a host, with a pipe to its stdin and one from its stdout: a
/// child process (the ssh client carrying the session, or the agent itself), or the agent served
/// in-process on a thread when the host is this machine.
///
/// The caller talks to it with blocking reads and writes (on a thread of its own), closes its
/// input when done, then `finish`es it: the exit status, bounded by a deadline after which the
/// process group is killed. `close()` releases what the transport lent (an ssh session slot).
public final class AgentSession: @unchecked Sendable {
    public let host: HostEndpoint
    /// Write end: the agent's stdin.
    public private(set) var toAgent: Int32
    /// Read end: the agent's stdout.
    public private(set) var fromAgent: Int32
    private let pid: Int32?
    private let stderrFile: Int32
    private let served: DispatchSemaphore?
    private let status = StatusBox()
    private let lock = NSLock()
    private var release: (@Sendable () async -> Void)?
    /// Seconds the agent's hello may take: the transport's connect timeout and a margin (an ssh
    /// session that never answers must fail the step, not hang it).
    public var handshakeTimeout: Double = 60

    private init(host: HostEndpoint, toAgent: Int32, fromAgent: Int32, pid: Int32?, stderrFile: Int32, served: DispatchSemaphore?) {
        self.host = host
        self.toAgent = toAgent
        self.fromAgent = fromAgent
        self.pid = pid
        self.stderrFile = stderrFile
        self.served = served
    }

    deinit {
        for fd in [toAgent, fromAgent, stderrFile] where fd >= 0 { Descriptor.close(fd) }
    }

    /// Starts `argv` (no shell) with pipes on stdin and stdout and stderr kept in an unnamed file.
    static func spawn(_ argv: [String], host: HostEndpoint, environment: ChildEnvironment, release: (@Sendable () async -> Void)?) throws -> AgentSession {
        ChildSpawn.ignoreSIGPIPE
        let rendered = CommandFailure.render(argv)
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        do {
            try Descriptor.pipeCloexec(&input)
            try Descriptor.pipeCloexec(&output)
        } catch {
            for fd in input + output where fd >= 0 { Descriptor.close(fd) }
            throw CommandFailure(.spawnFailed(errno: error.code), host: host.name, command: rendered)
        }
        // An unnamed file: stderr cannot fill a pipe nobody drains during the stream, and nothing
        // is left behind. Without one (a /tmp that refuses O_TMPFILE) stderr goes to /dev/null.
        let errFile = (try? Descriptor.open("/tmp", [.unnamedTemporary, .readWrite, .closeOnExec], mode: 0o600)) ?? -1
        // Its own process group (`ChildSpawn`): a Ctrl-C at the terminal reaches mailshift, which
        // ends the session itself (killing the group) rather than ssh dying under a half-written stream.
        let spawned = ChildSpawn.start(
            argv, stdin: .descriptor(input[0]), stdout: .descriptor(output[1]), stderr: errFile >= 0 ? .descriptor(errFile) : .null,
            environment: environment.entries())
        Descriptor.close(input[0])
        Descriptor.close(output[1])
        let pid: Int32
        switch spawned {
        case .success(let started): pid = started
        case .failure(let e):
            Descriptor.close(input[1]); Descriptor.close(output[0])
            if errFile >= 0 { Descriptor.close(errFile) }
            throw CommandFailure(.spawnFailed(errno: e.code), host: host.name, command: rendered)
        }
        let session = AgentSession(host: host, toAgent: input[1], fromAgent: output[0], pid: pid, stderrFile: errFile, served: nil)
        session.release = release
        return session
    }

    /// The agent served on a thread of this process: `serve(stdin, stdout)` returns its status.
    public static func inProcess(host: HostEndpoint, serve: @escaping @Sendable (Int32, Int32) -> Int32) throws -> AgentSession {
        ChildSpawn.ignoreSIGPIPE
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        do {
            try Descriptor.pipeCloexec(&input)
            try Descriptor.pipeCloexec(&output)
        } catch {
            for fd in input + output where fd >= 0 { Descriptor.close(fd) }
            throw CommandFailure(.spawnFailed(errno: error.code), host: host.name, command: "mailshift agent (in-process)")
        }
        let done = DispatchSemaphore(value: 0)
        let session = AgentSession(host: host, toAgent: input[1], fromAgent: output[0], pid: nil, stderrFile: -1, served: done)
        let (agentIn, agentOut, box) = (input[0], output[1], session.status)
        let thread = Thread {
            box.set(serve(agentIn, agentOut))
            Descriptor.close(agentIn)
            Descriptor.close(agentOut)
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        return session
    }

    /// Ends the agent's input (EOF on its stdin); safe to call twice.
    public func closeInput() {
        lock.withLock {
            if toAgent >= 0 { Descriptor.close(toAgent) }
            toAgent = -1
        }
    }

    /// Waits for the agent to exit, up to `timeout` seconds, then kills it. Blocking.
    /// Returns its status (128 + signal when killed), or nil when an in-process agent is still running.
    @discardableResult
    public func finish(timeout: Double) -> Int32? {
        closeInput()
        if let served {
            guard served.wait(timeout: .now() + timeout) == .success else { return nil }
            served.signal()
            return status.value
        }
        guard let pid else { return nil }
        if let known = status.value { return known }
        // Not reaped here (waited for elsewhere): the status stays unknown, never a made-up 0.
        guard let raw = ChildSpawn.wait(pid, deadline: Monotonic.now + timeout, grace: 0).raw else { return status.value }
        let code = ChildProcess.decode(raw)
        status.set(code)
        return code
    }

    /// Kills the session now (a failed relay: the other side must not wait on it). An in-process
    /// agent cannot be killed: closing both its pipes makes its next read end and its next write
    /// fail, so it returns.
    public func terminate() {
        if let pid, status.value == nil { ChildSpawn.killGroup(pid) }
        closeInput()
        if served != nil {
            lock.withLock {
                if fromAgent >= 0 { Descriptor.close(fromAgent) }
                fromAgent = -1
            }
        }
    }

    /// The last lines the session wrote on stderr (ssh's own diagnostics, the agent's).
    public func diagnostics(limit: Int = 1000) -> String {
        guard stderrFile >= 0 else { return "" }
        let size = Int(lseek(stderrFile, 0, SEEK_END))
        let count = min(max(size, 0), limit)
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(stderrFile, $0.baseAddress, count, off_t(size - count)) }
        return String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Releases the transport's slot; call once, after `finish`.
    public func close() async {
        let r = lock.withLock { () -> (@Sendable () async -> Void)? in
            defer { release = nil }
            return release
        }
        await r?()
    }
}

/// An exit status set once, read from any thread.
private final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int32?
    var value: Int32? { lock.withLock { status } }
    func set(_ s: Int32) { lock.withLock { status = s } }
}

/// Transports that can open a long-lived agent session on a host (the relay needs streams, not
/// a command's captured output).
public protocol AgentSessionOpening: Sendable {
    /// Starts `argv` on `host` with its stdin and stdout connected to the returned session.
    func openSession(_ argv: [String], on host: HostEndpoint) async throws -> AgentSession
}

extension AgentSession {
    /// ssh's own failure (unreachable, host key, authentication) behind an exit status, classified
    /// as `run` does; nil when the status is the agent's own.
    public func transportFailure(status: Int32) -> CommandFailure? {
        guard pid != nil, host.connect == .ssh else { return nil }
        let tail = diagnostics(limit: 2000)
        guard let reason = SSHDiagnosis.classify(status: status, stderr: Data(tail.utf8)) else { return nil }
        return CommandFailure(reason, host: host.name, command: "mailshift agent", stderrTail: tail)
    }
}
