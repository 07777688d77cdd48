import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a lab slapd could not be prepared or started.
public struct SlapdError: Error, Sendable, CustomStringConvertible {
    public var what: String
    public var output: String

    public init(_ what: String, output: String = "") {
        self.what = what
        self.output = output
    }

    public var description: String { output.isEmpty ? what : "\(what)\n\(output)" }
}

/// Runs the lab servers' tools (argv arrays only, never a shell).
enum SlapdProcess {
    /// Runs a tool to completion; throws with its output when it exits non-zero.
    static func run(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SlapdError("\(path) \(arguments.first ?? "") exited with \(process.terminationStatus)",
                             output: String(decoding: output, as: UTF8.self))
        }
    }
}

/// A long-running child started with `posix_spawn`, with every signal unblocked and at its
/// default: Foundation's `Process` passes on the spawning thread's mask, and Swift's worker
/// threads block SIGTERM, so a slapd started that way ignores `terminate()`.
final class SlapdChild: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `path` with `arguments`, stdin from /dev/null, stdout and stderr appended to `output`.
    init(_ path: String, _ arguments: [String], output: String) throws {
        do {
            pid = try LabProcess.spawn(path, arguments, output: output)
        } catch let error as LabError {
            throw SlapdError(error.what)
        }
    }

    /// True until the child exited (reaps it when it has).
    var isRunning: Bool {
        lock.withLock {
            guard exitStatus == nil else { return false }
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || r < 0 { exitStatus = status; return false }
            return true
        }
    }

    var status: Int32 { lock.withLock { exitStatus ?? -1 } }

    /// SIGTERM, then SIGKILL if it is still running after `grace` seconds; waits until it exited.
    func stop(grace: TimeInterval = 5) {
        guard isRunning else { return }
        kill(pid, SIGCONT)  // a suspended slapd cannot act on SIGTERM
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning { kill(pid, SIGKILL) }
        while isRunning { usleep(10_000) }
    }
}
