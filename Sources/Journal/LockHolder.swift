import Foundation
import SystemCalls

/// Who holds a journal's lock: written into the lock file so that a person can tell.
public struct LockHolder: Sendable, Hashable, CustomStringConvertible {
    public enum Liveness: String, Sendable, Hashable {
        /// The holder still runs (its lock is held in the kernel).
        case alive
        /// The holder is gone: its lock file stayed behind after a crash or a kill.
        case dead
        /// Held from another host: this host cannot tell.
        case unknown
    }

    public var host: String
    public var pid: Int32
    /// ISO 8601, UTC.
    public var started: String
    public var command: String

    public init(host: String, pid: Int32, started: String, command: String) {
        self.host = host
        self.pid = pid
        self.started = started
        self.command = command
    }

    /// This process, now.
    public static func current(command: String) -> LockHolder {
        LockHolder(host: ProcessInfo.processInfo.hostName, pid: ProcessIdentity.processID, started: Self.now(), command: command)
    }

    public static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }

    public var description: String { "pid \(pid) on \(host), since \(started) (\(command))" }

    var fileText: String { "host=\(host)\npid=\(pid)\nstarted=\(started)\ncommand=\(command)\n" }

    init?(fileText: String) {
        var map: [String: String] = [:]
        for line in fileText.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            map[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let host = map["host"], let pidText = map["pid"], let pid = Int32(pidText) else { return nil }
        self.init(host: host, pid: pid, started: map["started"] ?? "?", command: map["command"] ?? "?")
    }
}
