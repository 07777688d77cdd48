import Foundation
import Steps

#if canImport(Glibc)
import Glibc
#endif

/// A private OpenSSH server on 127.0.0.1 at a free port: the system `/usr/sbin/sshd` run as a
/// non-daemon child with its own config, a host key and a client key made per instance, its own
/// known_hosts and ssh client config. Used by the tests' fixture and by `mailshift-bench ssh`.
///
/// Invariants: everything lives in `directory`; sshd accepts only the instance's client key
/// (public key authentication, no PAM, no passwords) for the running user; the server stops on
/// `stop()`, on `deinit`, and in any case after `maxLifetime` seconds (it runs under
/// `timeout(1)`), so a crashed test process cannot leave it running for long.
public final class SSHDInstance: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: String
    public let port: Int
    /// The login name the instance accepts (the running user).
    public let user: String
    public let clientKey: String
    public let knownHosts: String
    /// An ssh client config (`ssh -F`) with the instance's key, known_hosts and user.
    public let clientConfig: String
    /// The `known_hosts` line for this server.
    public let knownHostsLine: String

    private let lock = NSLock()
    private var process: Process?
    private let environment: [String: String]
    /// Directories that get a fresh tmpfs in sshd's own mount namespace (see `start`).
    private let privateMounts: [String]
    /// The tmpfs mount options (`size=` makes a small disk that fills).
    private let privateMountOptions: String

    /// A host endpoint for the plan model that reaches this server with ssh.
    public var endpoint: HostEndpoint {
        HostEndpoint(
            name: "loopback", address: "127.0.0.1", connect: .ssh, user: user, port: port, identityFile: clientKey,
            sshOptions: ["UserKnownHostsFile=\(knownHosts)", "GlobalKnownHostsFile=/dev/null", "IdentitiesOnly=yes"])
    }

    /// Makes keys and config in `directory` (which must exist) and starts sshd, retrying on a port
    /// taken between choosing and binding it. `environment` is set for every session (sshd's
    /// `SetEnv`, which also overrides `PATH`), e.g. to put a built `mailshift` on the remote PATH.
    ///
    /// `privateMounts`: existing directories on which sshd (run under `unshare -m`, so as root)
    /// mounts a fresh tmpfs that only its own sessions see: what a session writes there exists on
    /// this "host" only, as on a machine with its own disk, and vanishes with the server.
    public static func start(
        in directory: String, maxLifetime: Int = 900, environment: [String: String] = [:], privateMounts: [String] = [],
        privateMountOptions: String = "mode=0755"
    ) throws -> SSHDInstance {
        try SSHKeygen.make(at: "\(directory)/host_ed25519")
        try SSHKeygen.make(at: "\(directory)/client_ed25519")
        try FileManager.default.copyItem(atPath: "\(directory)/client_ed25519.pub", toPath: "\(directory)/authorized_keys")
        try preparePrivilegeSeparationDirectory()
        var lastLog = ""
        for _ in 0..<6 {
            let port = try LoopbackPorts.one()
            let instance = try SSHDInstance(directory: directory, port: port, environment: environment, privateMounts: privateMounts,
                privateMountOptions: privateMountOptions)
            if try instance.launch(maxLifetime: maxLifetime) { return instance }
            lastLog = (try? String(contentsOfFile: "\(directory)/sshd.log", encoding: .utf8)) ?? ""
        }
        throw Failure(description: "sshd did not start: \(lastLog.suffix(500))")
    }

    private init(directory: String, port: Int, environment: [String: String], privateMounts: [String], privateMountOptions: String) throws {
        self.directory = directory
        self.environment = environment
        self.privateMounts = privateMounts
        self.privateMountOptions = privateMountOptions
        self.port = port
        self.user = SSHDInstance.runningUser
        self.clientKey = "\(directory)/client_ed25519"
        self.knownHosts = "\(directory)/known_hosts"
        self.clientConfig = "\(directory)/ssh_config"
        let hostPub = try String(contentsOfFile: "\(directory)/host_ed25519.pub", encoding: .utf8)
        let fields = hostPub.split(separator: " ").prefix(2).joined(separator: " ")
        self.knownHostsLine = "[127.0.0.1]:\(port) \(fields)"
        try (knownHostsLine + "\n").write(toFile: knownHosts, atomically: true, encoding: .utf8)
        try serverConfig.write(toFile: "\(directory)/sshd_config", atomically: true, encoding: .utf8)
        try clientConfigText.write(toFile: clientConfig, atomically: true, encoding: .utf8)
    }

    deinit { stop() }

    /// Stops sshd (SIGTERM to the group) and waits for it; safe to call twice.
    public func stop() {
        lock.lock()
        let p = process
        process = nil
        lock.unlock()
        guard let p else { return }
        if p.isRunning { p.terminate() }
        let end = Date().addingTimeInterval(5)
        while p.isRunning && Date() < end { usleep(10_000) }
        if let text = try? String(contentsOfFile: "\(directory)/sshd.pid", encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            kill(pid, SIGTERM)
        }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        // sshd removes its pid file on the way out; wait for it so the directory can be deleted.
        let gone = Date().addingTimeInterval(2)
        while access("\(directory)/sshd.pid", F_OK) == 0 && Date() < gone { usleep(10_000) }
    }

    /// Lets sshd outlive this object and this process (a lab's hosts, stopped later through
    /// `sshd.pid` in `directory`); `stop()` and `deinit` then leave it running.
    public func detach() {
        lock.lock()
        process = nil
        lock.unlock()
    }

    /// True once sshd accepts connections; false if it exited (e.g. the port was taken).
    private func launch(maxLifetime: Int) throws -> Bool {
        let p = Process()
        let server = ["/usr/bin/timeout", "-s", "TERM", String(maxLifetime), "/usr/sbin/sshd", "-D", "-e", "-f", "\(directory)/sshd_config"]
        if privateMounts.isEmpty {
            p.executableURL = URL(fileURLWithPath: server[0])
            p.arguments = Array(server.dropFirst())
        } else {
            // A mount namespace of its own; the mounts made in it are invisible outside it.
            let script = #"o=$1; shift; while [ "$1" != -- ]; do mount -t tmpfs -o "$o" mailshift-host "$1" || exit 97; shift; done; shift; exec "$@""#
            p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            p.arguments = ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", privateMountOptions] + privateMounts + ["--"] + server
        }
        _ = FileManager.default.createFile(atPath: "\(directory)/sshd.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/sshd.log"))
        p.standardError = log
        p.standardOutput = log
        p.standardInput = FileHandle.nullDevice
        try p.run()
        try? log.close()
        lock.lock()
        process = p
        lock.unlock()
        let end = Date().addingTimeInterval(15)
        while Date() < end {
            if !p.isRunning {
                stop()
                return false
            }
            // Its own log line, not a connection: another process's server may have taken the
            // port between the pick and the bind, and would accept in its place.
            if let said = try? String(contentsOfFile: "\(directory)/sshd.log", encoding: .utf8),
                said.contains("Server listening on 127.0.0.1 port \(port).")
            {
                return true
            }
            usleep(20_000)
        }
        stop()
        return false
    }

    private var serverConfig: String {
        """
        Port \(port)
        ListenAddress 127.0.0.1
        AddressFamily inet
        HostKey \(directory)/host_ed25519
        PidFile \(directory)/sshd.pid
        AuthorizedKeysFile \(directory)/authorized_keys
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        # The keys live in a temporary directory under /tmp, which StrictModes would reject.
        StrictModes no
        PermitRootLogin prohibit-password
        MaxSessions 64
        MaxStartups 512
        LoginGraceTime 20
        UseDNS no
        PrintMotd no
        PrintLastLog no
        X11Forwarding no
        AllowTcpForwarding no
        PermitUserEnvironment no
        PermitUserRC no
        # bash sources ~/.bashrc for ssh commands when SHLVL < 2; a developer's heavy .bashrc (pyenv
        # init: ~250 ms) would then dominate every remote command. SHLVL=1 keeps the lab hermetic.
        # sshd honours only the first SetEnv line, so every variable goes on this one.
        SetEnv \(setEnv)
        # INFO: its "Server listening" line is how start() knows this server holds the port.
        LogLevel INFO

        """
    }

    /// `SHLVL=1` plus the caller's variables, each quoted for sshd_config.
    private var setEnv: String {
        let extra = environment.keys.sorted().map { "\"\($0)=\(environment[$0] ?? "")\"" }
        return (["SHLVL=1"] + extra).joined(separator: " ")
    }

    private var clientConfigText: String {
        """
        Host *
            User \(user)
            IdentityFile \(clientKey)
            IdentitiesOnly yes
            UserKnownHostsFile \(knownHosts)
            GlobalKnownHostsFile /dev/null
            PasswordAuthentication no
            GSSAPIAuthentication no
            UpdateHostKeys no
            LogLevel ERROR

        """
    }

    static var runningUser: String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    /// sshd run by root insists on its privilege separation directory (Debian makes it at boot
    /// through systemd, which a container lacks).
    private static func preparePrivilegeSeparationDirectory() throws {
        guard geteuid() == 0, access("/run/sshd", F_OK) != 0 else { return }
        if mkdir("/run/sshd", 0o755) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create /run/sshd: \(String(cString: strerror(errno)))")
        }
    }
}
