import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Brings the lab's real mail system up and down, each part a private instance on free
/// 127.0.0.1 ports: Dovecot (the store: IMAP + LMTP), the legacy host's Postfix (local delivery
/// to the spool, `.forward`) and Dovecot (IMAP over the spool, and the IMAP proxy routing by
/// mailHost), and the Postfix front MX.
public enum RealMailLab {
    /// The lab's mail domain: user `alice` is `alice@lab.test`.
    public static let domain = "lab.test"
    /// Every lab user's IMAP password (a test credential, written to lab.json for tools).
    public static let userPassword = "lab-password"

    /// The Debian packages the real daemons need, by the file each provides.
    static let required: [(file: String, package: String)] = [
        ("/usr/sbin/dovecot", "dovecot-core"), ("/usr/lib/dovecot/imap", "dovecot-imapd"),
        ("/usr/lib/dovecot/lmtp", "dovecot-lmtpd"), ("/usr/sbin/postfix", "postfix"),
        ("/usr/lib/postfix/postfix-ldap.so", "postfix-ldap"),
        ("/usr/lib/dovecot/modules/auth/libauthdb_ldap.so", "dovecot-ldap"),
    ]

    public static func checkPackages() throws {
        let missing = required.filter { !FileManager.default.fileExists(atPath: $0.file) }
        guard !missing.isEmpty else { return }
        let packages = Array(Set(missing.map(\.package))).sorted()
        throw LabError(
            "the real mail lab needs \(packages.joined(separator: ", ")) (missing \(missing.map(\.file).joined(separator: ", ")))",
            hint: "run scripts/install-deps (it never replaces an MTA you run without MAILSHIFT_REPLACE_MTA=1), or `lab up --mail stand-in`")
    }

    /// Writes and starts both daemons; records their endpoints in `config` (saved by the caller).
    public static func up(_ paths: LabPaths, config: inout LabConfig) throws {
        try checkPackages()
        guard geteuid() == 0 else {
            throw LabError("the real mail lab starts Postfix and Dovecot, which needs root",
                           hint: "run `mailshift lab up` as root, or use `--mail stand-in`")
        }
        let owner = try StoreOwner.lookup()
        // The store's mail processes run as `owner`: they must be able to reach the Maildirs.
        chmod(paths.root, 0o755)
        chmod(paths.storeRoot, 0o755)
        // Each user's Maildir is provisioned as a store does when it creates an account: owned
        // by the store, empty, so IMAP can open an INBOX before anything was delivered or imported.
        for user in config.users {
            let home = paths.storeRoot + "/" + user
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            for dir in [paths.maildir(user)] + ["new", "cur", "tmp"].map({ paths.maildir(user) + "/" + $0 }) {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                guard chown(dir, owner.uid, owner.gid) == 0 else { throw LabError("cannot chown \(dir) to \(owner.name)") }
            }
        }
        try LabConfigValue.requireOneLine(config.storeHost, "the store host")
        try LabConfigValue.requireOneLine(config.legacyHost, "the legacy host")
        // Another lab on this machine may start a daemon on a port just picked: the daemon then
        // reports the address in use, and the lab stops what it started and draws fresh ports.
        var attempt = 0
        var ports: [Int]
        while true {
            attempt += 1
            ports = try LoopbackPorts.reserve(6)
            do {
                try start(paths, config: config, owner: owner, ports: ports)
                break
            } catch where attempt < 3 && "\(error)".contains("Address already in use") {
                _ = down(paths)
            }
        }
        let (imap, lmtp, smtp, legacy, legacyIMAP, proxy) = (ports[0], ports[1], ports[2], ports[3], ports[4], ports[5])
        config.legacySMTP = LabEndpoint(port: legacy)
        config.legacyIMAP = LabEndpoint(port: legacyIMAP)
        config.proxyIMAP = LabEndpoint(port: proxy)
        config.mailSystem = .real
        config.domain = domain
        config.smtp = LabEndpoint(port: smtp)
        config.imap = LabEndpoint(port: imap)
        config.lmtp = LabEndpoint(port: lmtp)
        config.userPassword = userPassword
        config.mailLog = paths.mailLog
        config.storeOwner = owner.name
    }

    /// Writes every daemon's configuration for `ports` (imap, lmtp, smtp, legacy smtp, legacy
    /// imap, proxy) and starts them side by side; each is ready when this returns.
    private static func start(_ paths: LabPaths, config: LabConfig, owner: StoreOwner, ports: [Int]) throws {
        let (imap, lmtp, smtp, legacy, legacyIMAP, proxy) = (ports[0], ports[1], ports[2], ports[3], ports[4], ports[5])
        let store = DovecotStore(paths: paths, domain: domain, imapPort: imap, lmtpPort: lmtp, owner: owner)
        try store.write(users: config.users, password: userPassword)
        let legacyMTA = PostfixLegacyMTA(paths: paths, config: config, domain: domain, port: legacy, owner: owner)
        try legacyMTA.write()
        let legacySide = DovecotLegacySide(paths: paths, config: config, owner: owner, legacyIMAPPort: legacyIMAP,
                                           proxyPort: proxy, storeIMAPPort: imap)
        try legacySide.write()
        let mx = PostfixFrontMX(paths: paths, config: config, domain: domain, smtpPort: smtp, lmtpPort: lmtp, legacyPort: legacy)
        try mx.write()
        // They start side by side (about half the time); none needs another up first.
        try LabDaemonStart.together([{ try store.start() }, { try legacyMTA.start() }, { try legacySide.start() }, { try mx.start() }])
    }

    /// `lab service start|stop mta|proxy` on a real lab: the legacy host's Postfix (stopped
    /// after it has delivered what it accepted) and the Dovecot IMAP proxy. False when `name`
    /// is not one of them or the lab runs the stand-in.
    public static func service(_ paths: LabPaths, action: String, name: String) throws -> Bool {
        let config = try LabConfig.load(paths)
        guard config.mailSystem == .real else { return false }
        switch (action, name) {
        case ("stop", "mta"): try PostfixLegacyMTA.stop(paths)
        case ("start", "mta"): try PostfixLegacyMTA.start(paths, config: config)
        case ("start", "proxy"): try DovecotLegacySide.startProxy(paths, config: config)
        case ("stop", "proxy"): LabProcess.stop(pidFile: paths.imapProxyPidFile)
        default: return false
        }
        return true
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    public static func listening(port: Int) -> Bool { LoopbackPorts.accepts(port) }

    /// Stops the MX and the store when they run; names what it stopped.
    public static func down(_ paths: LabPaths) -> [String] {
        var stopped: [String] = []
        if LabProcess.livePid(paths.pidFile("traffic")) != nil {
            LabProcess.stop(pidFile: paths.pidFile("traffic"))
            stopped.append("traffic")
        }
        if PostfixFrontMX.stop(paths) { stopped.append("postfix") }
        if PostfixLegacyMTA.halt(paths) { stopped.append("legacy postfix") }
        if DovecotStore.stop(paths) { stopped.append("dovecot") }
        stopped += DovecotLegacySide.stop(paths)
        return stopped
    }
}
