import Diagnostics
import Foundation
import Steps

/// Why running an argv on a host failed: typed, classified (transient or permanent) and carrying
/// the bounded tail of the command's stderr so the failure explains itself.
public struct CommandFailure: StepFailure, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The argv or host is unusable as given (NUL byte, empty argv, bad option).
        case invalidInput(String)
        /// The program could not be started (errno from posix_spawn).
        case spawnFailed(errno: Int32)
        /// The command ran longer than its timeout and was killed.
        case timedOut(seconds: Double)
        /// The command ran and exited non-zero (or was killed by a signal: 128 + signal).
        case exitStatus(Int32)
        /// ssh could not reach the host (refused, timed out, no route, name lookup, dropped).
        case sshUnreachable
        /// The host's key is unknown or does not match known_hosts.
        case sshHostKey
        /// The host refused our credentials.
        case sshAuthentication
        /// ssh failed for another reason (status 255 with an ssh diagnostic).
        case sshFailed
    }

    public var reason: Reason
    /// The plan's name for the host (or its address).
    public var host: String
    /// The argv as shown to a person (arguments with spaces quoted); never holds a secret because
    /// plans hold none.
    public var command: String
    /// Last lines of stderr (bounded).
    public var stderrTail: String

    public init(_ reason: Reason, host: String, command: String, stderrTail: String = "") {
        self.reason = reason
        self.host = host
        self.command = command
        self.stderrTail = stderrTail
    }

    public var disposition: FailureDisposition {
        switch reason {
        case .timedOut, .sshUnreachable, .sshFailed: .transient
        case .invalidInput, .spawnFailed, .exitStatus, .sshHostKey, .sshAuthentication: .permanent
        }
    }

    public var summary: String {
        let what: String
        switch reason {
        case .invalidInput(let why): what = "cannot run `\(command)`: \(why)"
        case .spawnFailed(let e): what = "cannot start `\(command)`: \(String(cString: strerror(e)))"
        case .timedOut(let s): what = "`\(command)` timed out after \(Self.seconds(s)) and was killed"
        case .exitStatus(let s): what = "`\(command)` exited with status \(s)"
        case .sshUnreachable: what = "ssh cannot reach the host"
        case .sshHostKey: what = "ssh host key verification failed"
        case .sshAuthentication: what = "ssh authentication refused"
        case .sshFailed: what = "ssh failed running `\(command)`"
        }
        let tail = stderrTail.split(separator: "\n").suffix(3).joined(separator: " | ")
        return "host \(host): \(what)" + (tail.isEmpty ? "" : ": \(tail)")
    }

    public var hint: String? {
        switch reason {
        case .sshHostKey:
            "add the host's key to known_hosts (ssh-keyscan, checked by hand) or name a known_hosts file with the host's `ssh_options: [UserKnownHostsFile=…]`; keys are never trusted automatically"
        case .sshAuthentication:
            "check the host's `user` and `identity_file`, and that the key is in the remote authorized_keys"
        case .sshUnreachable:
            "check the address and port, and that sshd runs there; the step is retried"
        case .timedOut:
            "raise the step's `timeout`; over ssh the remote command may still be running"
        case .spawnFailed:
            "check that the program exists on this machine and is in PATH"
        default: nil
        }
    }

    public var description: String { summary }
    public var subject: RunSubject? { RunSubject(host: host) }
    public var diagnosticCode: DiagnosticCode {
        switch reason {
        case .invalidInput: "command.invalid-input"
        case .spawnFailed: "command.spawn-failed"
        case .timedOut: "command.timed-out"
        case .exitStatus: "command.exit-status"
        case .sshUnreachable: "ssh.unreachable"
        case .sshHostKey: "ssh.host-key"
        case .sshAuthentication: "ssh.authentication"
        case .sshFailed: "ssh.failed"
        }
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }

    /// An argv rendered for a person: words with unusual characters single-quoted, bounded length.
    public static func render(_ argv: [String]) -> String {
        let text = argv.map { ShellQuoting.needsQuoting($0) ? ShellQuoting.quote($0) : $0 }.joined(separator: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

extension CommandFailure {
    /// A command that ran on `host` and exited non-zero, with the tail of its stderr.
    public static func exited(_ argv: [String], _ outcome: CommandOutcome, on host: String) -> CommandFailure {
        CommandFailure(.exitStatus(outcome.status), host: host, command: render(argv), stderrTail: outcome.stderr.tailText(600))
    }
}

extension CommandTransport {
    /// `run`, where a non-zero exit is a `CommandFailure` naming the host, the command and its stderr.
    public func runSucceeding(_ argv: [String], on host: HostEndpoint, stdin: Data? = nil, timeout: Double) async throws
        -> CommandOutcome
    {
        let outcome = try await run(argv, on: host, stdin: stdin, timeout: timeout)
        guard outcome.status == 0 else { throw CommandFailure.exited(argv, outcome, on: host.name) }
        return outcome
    }
}
