import Foundation
import Glibc

/// A real, unprivileged account for the security tests: created with `useradd` (no home, no
/// group of its own, no login shell), removed with `delete()`. Acting as it is a child process
/// under `setpriv`, so the files it plants are really its own.
public struct SystemUser: Sendable {
    public let name: String
    public let uid: uid_t
    public let gid: gid_t

    /// Only root can create accounts (tests needing them are skipped otherwise).
    public static var available: Bool { geteuid() == 0 }

    public init() throws {
        let name = "mstest-" + UUID().uuidString.prefix(8).lowercased()
        // useradd locks /etc/passwd; tests running in parallel may find it locked for a moment.
        var status: Int32 = -1
        for _ in 0..<50 {
            status = try Self.run(["/usr/sbin/useradd", "-M", "-N", "-s", "/usr/sbin/nologin", name])
            if status == 0 { break }
            usleep(100_000)
        }
        guard status == 0, let pw = getpwnam(name) else { throw SystemUserError("useradd \(name) failed (status \(status))") }
        self.name = name
        uid = pw.pointee.pw_uid
        gid = pw.pointee.pw_gid
    }

    public func delete() {
        for _ in 0..<50 {
            if (try? Self.run(["/usr/sbin/userdel", name])) == 0 || getpwnam(name) == nil { return }
            usleep(100_000)
        }
    }

    /// Runs `sh -c script` as this user (real and effective uid and gid, no supplementary
    /// groups), with `args` as `$1`…; throws unless it exits 0.
    public func act(_ script: String, _ args: String...) throws {
        let status = try Self.run(
            ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", "/bin/sh", "-c", script, "sh"] + args)
        guard status == 0 else { throw SystemUserError("as \(name): `\(script)` exited \(status)") }
    }

    /// Starts `sh -c script` as this user without waiting (an attacker racing the code under
    /// test); the caller stops it with `terminate()` and `waitUntilExit()`.
    public func actInBackground(_ script: String, _ args: String...) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", "/bin/sh", "-c", script, "sh"] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    static func run(_ argv: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}

public struct SystemUserError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A root-owned directory and file an attack aims at: what they were, to check nothing changed.
public struct RootTarget: Sendable {
    public let directory: String
    public let file: String

    /// Creates `<dir>/rootonly` (0700) holding `secret` (0600), both root's.
    public init(in dir: String) throws {
        directory = dir + "/rootonly"
        file = directory + "/secret"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        chmod(directory, 0o700)
        try Data("root's own\n".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
    }

    /// A description of everything an attack could change: the listing, owners, modes, bytes.
    public func snapshot() throws -> String {
        var lines: [String] = []
        for path in [directory] + (try FileManager.default.contentsOfDirectory(atPath: directory)).sorted().map({ directory + "/" + $0 }) {
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let bytes = (st.st_mode & S_IFMT) == S_IFREG ? (try? String(contentsOfFile: path, encoding: .utf8)) ?? "?" : "-"
            lines.append("\(path) \(st.st_uid):\(st.st_gid) \(String(st.st_mode, radix: 8)) \(bytes)")
        }
        return lines.joined(separator: "\n")
    }

    /// The snapshot a fresh target has (what `snapshot()` must still say after an attack).
    public var pristine: String {
"\(directory) 0:0 40700 -\n\(file) 0:0 100600 root's own\n"
    }
}
