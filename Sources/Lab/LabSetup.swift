import Foundation
import Glibc

/// `mailshift lab up` / `down`: builds a complete local scenario in a directory and takes it down.
public enum LabSetup {
    public struct Options: Sendable {
        public var users = 50
        public var messages = 20
        public var seed: UInt64 = 1
        /// Seconds between the stand-in MTA's deliveries; nil starts no MTA.
        public var mtaInterval: Double? = 0.5
        /// Real Postfix + Dovecot (the default), or the stand-in MTA (a fault injector, docs/lab.md).
        public var mail = LabMailSystem.real
        public init() {}
    }

    /// The Debian packages the lab needs, by the file each provides.
    static let required: [(file: String, package: String)] = [
        ("/usr/sbin/slapd", "slapd"), ("/usr/sbin/slapadd", "slapd"), ("/usr/bin/ldapsearch", "ldap-utils"),
    ]

    /// Throws naming every missing package and the apt-get line that installs them.
    public static func checkPackages() throws {
        let missing = required.filter { !FileManager.default.isExecutableFile(atPath: $0.file) }
        guard !missing.isEmpty else { return }
        let packages = Array(Set(missing.map(\.package))).sorted()
        throw LabError(
            "missing \(missing.map(\.file).joined(separator: ", ")) (Debian package\(packages.count > 1 ? "s" : "") \(packages.joined(separator: ", ")))",
            hint: "sudo apt-get install -y \(packages.joined(separator: " "))  (or run scripts/install-deps)")
    }

    public static func userNames(_ count: Int) -> [String] {
        let width = max(3, String(count).count)
        return (1...max(1, count)).map { "user" + String(repeating: "0", count: width - String($0).count) + String($0) }
    }

    /// Builds the lab in `paths.root` (which must be absent or empty) and starts its processes.
    public static func up(_ paths: LabPaths, options: Options, executable: String) throws -> LabConfig {
        try checkPackages()
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: paths.root), !existing.isEmpty {
            throw LabError("\(paths.root) is not empty", hint: "`mailshift lab down \(paths.root)` and remove it, or pick a new directory")
        }
        for dir in [paths.root, paths.run, paths.storeRoot, paths.saved, paths.held, paths.archive, paths.plans] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let users = userNames(options.users)
        for user in users { try fm.createDirectory(atPath: paths.homes + "/" + user, withIntermediateDirectories: true) }
        // A few users keep their own .forward (a vacation-style pipe), which divert must save and restore.
        for user in users.enumerated() where user.offset % 7 == 3 {
            try vacationForward(paths, user.element, mail: options.mail).write(
                toFile: paths.forwardFile(user.element), atomically: true, encoding: .utf8)
        }
        let manifests = try MboxCorpus.writeSpool(
            at: paths.spool, users: users, seed: options.seed, messages: options.messages, largeEvery: 10)
        try fm.moveItem(atPath: paths.spool + "/.manifest.json", toPath: paths.manifest)
        _ = manifests

        let legacy = "oldmail.lab.test"
        let layout = DirectoryLayout()
        let slapd = try SlapdInstance.start(
            in: paths.ldap, options: SlapdOptions(layout: layout, users: users.map { DirectoryUser.mailUser($0, mailHost: legacy) }))
        _ = slapd.detach()
        let section = try slapd.planDirectorySection(passwordFile: paths.passwordFile)
        try LabSecrets.write(layout.servicePassword, toFile: paths.run + "/ldap.bindpw")
        var config = LabConfig(
            users: users, messages: options.messages, seed: options.seed, ldapURL: slapd.url, ldapPort: slapd.port,
            peopleBase: layout.peopleBase, bindDN: layout.migratorDN, legacyHost: legacy, storeHost: "newstore.lab.test",
            executable: executable)
        try LabGroups(paths: paths, config: config).add(LabPlans.groups(users))
        if options.mail == .real { try RealMailLab.up(paths, config: &config) }
        try config.save(paths)
        try LabPlans(paths: paths, config: config, directorySection: section + "  group_base: \(LabPlans.q(layout.groupBase))\n").write()
        if let interval = options.mtaInterval, options.mail == .standIn {
            try startService(paths, "mta", arguments: ["lab", "mta", "--dir", paths.root, "--interval", String(interval)], executable: executable)
        }
        if let interval = options.mtaInterval, options.mail == .real {
            try startService(paths, "traffic", arguments: ["lab", "traffic", "--dir", paths.root, "--interval", String(interval)], executable: executable)
        }
        return config
    }

    /// A vacation-style `.forward` that keeps a copy in the mailbox. Lab users are not system
    /// accounts, so on the real legacy MTA (`PostfixLegacyMTA`) the copy is the spool file
    /// itself (what `\\user` means there) and the responder a command that exists.
    static func vacationForward(_ paths: LabPaths, _ user: String, mail: LabMailSystem) -> String {
        switch mail {
        case .standIn: "\\\(user), \"|/usr/bin/vacation \(user)\"\n"
        case .real: "\(paths.spoolFile(user))\n\"|exec /bin/true vacation \(user)\"\n"
        }
    }

    /// Stops everything `up` started (MTA, stand-in servers, slapd); the files stay.
    public static func down(_ paths: LabPaths) -> [String] {
        var stopped = RealMailLab.down(paths) + LabSeparateHosts.down(paths)
        for name in ["mta", "store", "proxy"] where LabProcess.livePid(paths.pidFile(name)) != nil {
            LabProcess.stop(pidFile: paths.pidFile(name))
            stopped.append(name)
        }
        if LabProcess.livePid(paths.ldap + "/slapd.pid") != nil {
            LabProcess.stop(pidFile: paths.ldap + "/slapd.pid")
            stopped.append("slapd")
        }
        return stopped
    }

    /// Restarts the lab's slapd on the same port with the same data (stops it first if running).
    public static func restartSlapd(_ paths: LabPaths) throws {
        let config = try LabConfig.load(paths)
        LabProcess.stop(pidFile: paths.ldap + "/slapd.pid")
        _ = try SlapdInstance.relaunchDetached(in: paths.ldap, options: SlapdOptions(), port: config.ldapPort)
    }

    /// Starts a stand-in (`mailshift lab daemon NAME`, or the MTA) detached and waits for its pid file.
    public static func startService(_ paths: LabPaths, _ name: String, arguments: [String]? = nil, executable: String) throws {
        if LabProcess.livePid(paths.pidFile(name)) != nil { return }
        _ = try LabProcess.spawnDetached(
            executable, arguments ?? ["lab", "daemon", name, "--dir", paths.root], log: paths.log)
        let deadline = Date().addingTimeInterval(10)
        while LabProcess.livePid(paths.pidFile(name)) == nil {
            guard Date() < deadline else { throw LabError("the lab's \(name) did not start (see \(paths.log))") }
            usleep(20_000)
        }
    }

    /// The body of a stand-in server: writes its pid file and waits for SIGTERM.
    public static func daemon(_ paths: LabPaths, _ name: String) throws {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        try "\(getpid())\n".write(toFile: paths.pidFile(name), atomically: true, encoding: .utf8)
        var received: Int32 = 0
        sigwait(&signals, &received)
        unlink(paths.pidFile(name))
    }
}
