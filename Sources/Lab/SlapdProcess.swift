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

/// Process and socket helpers for the lab's servers (argv arrays only, never a shell).
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

    /// `count` distinct such ports: every socket stays bound until all are picked, so the kernel
    /// cannot hand the same port out twice (two daemons of one lab would then clash).
    static func freePorts(_ count: Int) throws -> [Int] {
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let (fd, port) = try boundPort()
            held.append(fd)
            ports.append(port)
        }
        return ports
    }

    /// A socket bound to a kernel-picked loopback port, and the port; the caller closes it.
    private static func boundPort() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SlapdError("socket() failed: errno \(errno)") }
        var kept = false
        defer { if !kept { close(fd) } }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SlapdError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SlapdError("getsockname() failed: errno \(errno)") }
        kept = true
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
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
