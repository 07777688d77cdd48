import Foundation

/// Reads the lab's directory with `ldapsearch` (ldap-utils), bound as the migrator: what the
/// stand-in MTA routes by and what `lab verify` checks.
public struct LabDirectory: Sendable {
    public let config: LabConfig
    public let paths: LabPaths
    public static let ldapsearch = "/usr/bin/ldapsearch"

    public init(config: LabConfig, paths: LabPaths) {
        self.config = config
        self.paths = paths
    }

    /// uid → attribute (lower-cased) → values, for every user under People; throws when the
    /// server cannot be asked.
    public func users() throws -> [String: [String: [String]]] {
        let output = try LabProcess.output(Self.ldapsearch, [
            "-x", "-LLL", "-o", "ldif-wrap=no", "-H", config.ldapURL, "-D", config.bindDN, "-y", paths.run + "/ldap.bindpw",
            "-b", config.peopleBase, "-s", "one", "(uid=*)", "uid", "mailHost", "mailUserStatus", "mailDeliveryOption",
        ])
        var result: [String: [String: [String]]] = [:]
        for block in output.components(separatedBy: "\n\n") {
            var attributes: [String: [String]] = [:]
            for line in block.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                attributes[key, default: []].append(value)
            }
            if let uid = attributes["uid"]?.first { result[uid] = attributes }
        }
        return result
    }
}

/// Runs lab tools (argv only, never a shell).
public enum LabProcess {
    /// The tool's standard output; throws with its stderr when it exits non-zero.
    public static func output(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LabError("\(path) exited with \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The pid in `file` when that process is alive.
    public static func livePid(_ file: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0
        else { return nil }
        // A zombie (our own unreaped child) is not alive.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return nil }
        return pid
    }

    /// Starts `path` detached (its own session, stdio to `log`), not waiting for it.
    public static func spawnDetached(_ path: String, _ arguments: [String], log: String) throws -> pid_t {
        try spawn(path, arguments, output: log, newSession: true)
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; true when it is gone.
    @discardableResult
    public static func stop(pidFile: String, grace: TimeInterval = 5) -> Bool {
        guard let pid = livePid(pidFile) else { unlink(pidFile); return true }
        kill(pid, SIGCONT)
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while livePid(pidFile) != nil && Date() < deadline { reap(pid); usleep(20_000) }
        if livePid(pidFile) != nil { kill(pid, SIGKILL) }
        let hard = Date().addingTimeInterval(5)
        while livePid(pidFile) != nil && Date() < hard { reap(pid); usleep(20_000) }
        unlink(pidFile)
        return livePid(pidFile) == nil
    }

    static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}
