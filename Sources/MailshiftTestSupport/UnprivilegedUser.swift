import Foundation

/// A throwaway local user without a home or a login shell, for tests (run as root) that need
/// files owned or written by someone else. `remove()` deletes it (tests call it in `defer`).
public struct UnprivilegedUser: Sendable {
    public let name: String
    public let uid: UInt32
    public let gid: UInt32

    public init() throws {
        let name = "mstest-" + String(UUID().uuidString.prefix(6)).lowercased()
        try Self.retrying("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", name])
        guard let entry = getpwnam(name) else { throw Failure(message: "useradd made no \(name)") }
        self.name = name
        self.uid = entry.pointee.pw_uid
        self.gid = entry.pointee.pw_gid
    }

    /// Runs `argv` as this user (runuser: no password, no PAM session).
    public func run(_ argv: [String]) throws {
        try Self.run("/usr/sbin/runuser", ["-u", name, "--"] + argv)
    }

    public func chown(_ path: String) throws {
        guard Foundation.chown(path, uid, gid) == 0 else {
            throw Failure(message: "chown \(path): \(String(cString: strerror(errno)))")
        }
    }

    public func remove() { try? Self.retrying("/usr/sbin/userdel", [name]) }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// useradd and userdel fail while another of them holds /etc/passwd's lock (tests run in
    /// parallel): try again for a few seconds.
    private static func retrying(_ program: String, _ arguments: [String]) throws {
        var attempt = 0
        while true {
            do {
                return try run(program, arguments)
            } catch {
                attempt += 1
                if attempt >= 50 { throw error }
                usleep(100_000)
            }
        }
    }

    private static func run(_ program: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(message: "\(program) \(arguments.joined(separator: " ")) exited \(p.terminationStatus)")
        }
    }
}
