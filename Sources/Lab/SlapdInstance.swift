import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private OpenLDAP slapd: its own slapd.conf and mdb database in a directory, listening on
/// 127.0.0.1 at free ports, loaded with a lab's users. Used by `mailshift lab`, tests and benchmarks.
///
/// Invariants:
/// - Nothing outside `directory` is written; the system slapd and its config are never touched.
/// - slapd runs in the foreground (`-d`), as our child, so `stop()` (and `deinit`) always ends it.
/// - `restart()` keeps the ports and the data, so a client can reconnect to the same URL.
public final class SlapdInstance: @unchecked Sendable {
    public let directory: String
    public let options: SlapdOptions
    public let port: Int
    /// The `ldaps://` port when TLS files were given.
    public let tlsPort: Int?
    private let lock = NSLock()
    private var process: SlapdChild?

    /// Writes the configuration and schema, loads the users with `slapadd`, then starts slapd.
    public static func start(in directory: String, options: SlapdOptions) throws -> SlapdInstance {
        // slapd.conf holds the root password and the LDIF the migrator's: secrets, 0600 in 0700.
        let dir = try LabSecrets.directory(directory)
        _ = try dir.makeSubdirectory("db", mode: 0o700, owner: .process)
        try LabSecrets.write(SlapdSchema.sunMail, to: "mailshift-sun.schema", in: dir)
        let conf = directory + "/slapd.conf"
        try LabSecrets.write(SlapdConfigurationFile.text(options: options, directory: directory), to: "slapd.conf", in: dir)
        let ldif = directory + "/directory.ldif"
        try LabSecrets.write(options.layout.ldif(users: options.users), to: "directory.ldif", in: dir)
        // A consumer starts empty: its provider sends the tree.
        if options.replication?.isConsumer != true {
            try SlapdProcess.run(options.slapaddPath, ["-q", "-f", conf, "-l", ldif])
        }
        // A race with another process taking the port is possible: retry with fresh ports.
        var lastError: Error = SlapdError("slapd did not start")
        for _ in 0..<3 {
            let ports = try LoopbackPorts.reserve(2)
            let instance = SlapdInstance(
                directory: directory, options: options, port: ports[0],
                tlsPort: options.tls == nil ? nil : ports[1])
            do {
                try instance.launch()
                return instance
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private init(directory: String, options: SlapdOptions, port: Int, tlsPort: Int?) {
        self.directory = directory
        self.options = options
        self.port = port
        self.tlsPort = tlsPort
    }

    deinit { stop() }

    public var url: String { "ldap://127.0.0.1:\(port)" }
    public var tlsURL: String? { tlsPort.map { "ldaps://127.0.0.1:\($0)" } }
    public var layout: DirectoryLayout { options.layout }
    public var accessLogPath: String { directory + "/access.log" }

    /// The operation log so far (empty unless `logOperations`).
    public func accessLog() -> String {
        (try? String(contentsOfFile: accessLogPath, encoding: .utf8)) ?? ""
    }

    /// How many modify requests slapd has received (from the `stats` log).
    public func modifyCount() -> Int {
        accessLog().split(separator: "\n").filter { $0.contains(" MOD dn=") }.count
    }

    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Stops slapd (SIGTERM, then SIGKILL after 5 s) and waits for it. Safe to call twice.
    public func stop() {
        let running = lock.withLock { () -> SlapdChild? in
            defer { process = nil }
            return process
        }
        running?.stop()
    }

    /// Freezes slapd (SIGSTOP): connections are still accepted by the kernel but never answered,
    /// which is how a hung server looks to a client. `resume()` thaws it.
    public func suspend() {
        if let pid = lock.withLock({ process?.pid }) { kill(pid, SIGSTOP) }
    }

    public func resume() {
        if let pid = lock.withLock({ process?.pid }) { kill(pid, SIGCONT) }
    }

    /// Lets slapd outlive this object (for `mailshift lab up`): returns its pid and forgets it,
    /// so neither `stop()` nor `deinit` end it any more; stop it by its pid.
    public func detach() -> pid_t? {
        lock.withLock { () -> pid_t? in
            defer { process = nil }
            return process?.pid
        }
    }

    /// Starts slapd again on an instance directory prepared earlier by `start(in:options:)`
    /// (same data, same port), detached; returns its pid.
    public static func relaunchDetached(in directory: String, options: SlapdOptions, port: Int) throws -> pid_t? {
        let instance = SlapdInstance(directory: directory, options: options, port: port, tlsPort: nil)
        try instance.launch()
        return instance.detach()
    }

    /// Stops and starts slapd again on the same ports with the same data.
    public func restart() throws {
        stop()
        try launch()
    }

    private func launch() throws {
        var urls = "ldap://127.0.0.1:\(port)/"
        if let tlsPort { urls += " ldaps://127.0.0.1:\(tlsPort)/" }
        let arguments = ["-f", directory + "/slapd.conf", "-h", urls, "-d", options.logOperations ? "stats" : "0"]
        let process = try SlapdChild(options.slapdPath, arguments, output: accessLogPath)
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            guard process.isRunning else {
                lock.withLock { self.process = nil }
                throw SlapdError("slapd exited with status \(process.status)", output: accessLog())
            }
            if LoopbackPorts.accepts(port) && tlsPort.map(LoopbackPorts.accepts) != false { return }
            usleep(20_000)
        }
        stop()
        throw SlapdError("slapd did not listen on 127.0.0.1:\(port) within 15 s", output: accessLog())
    }
}
