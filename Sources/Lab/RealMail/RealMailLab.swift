import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Brings the lab's real mail system up and down: Dovecot (the store: IMAP + LMTP) and the
/// Postfix front MX, each a private instance on free 127.0.0.1 ports.
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
        let ports = try SlapdProcess.freePorts(4)
        let (imap, lmtp, smtp, legacy) = (ports[0], ports[1], ports[2], ports[3])
        let store = DovecotStore(paths: paths, domain: domain, imapPort: imap, lmtpPort: lmtp, owner: owner)
        try store.write(users: config.users, password: userPassword)
        try store.start()
        let mx = PostfixFrontMX(paths: paths, config: config, domain: domain, smtpPort: smtp, lmtpPort: lmtp, legacyPort: legacy)
        try mx.write()
        try mx.start()
        config.mailSystem = .real
        config.domain = domain
        config.smtp = LabEndpoint(port: smtp)
        config.imap = LabEndpoint(port: imap)
        config.lmtp = LabEndpoint(port: lmtp)
        config.userPassword = userPassword
        config.mailLog = paths.mailLog
        config.storeOwner = owner.name
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    public static func listening(port: Int) -> Bool { SlapdProcess.accepts(port: port) }

    /// Stops the MX and the store when they run; names what it stopped.
    public static func down(_ paths: LabPaths) -> [String] {
        var stopped: [String] = []
        if LabProcess.livePid(paths.pidFile("traffic")) != nil {
            LabProcess.stop(pidFile: paths.pidFile("traffic"))
            stopped.append("traffic")
        }
        if PostfixFrontMX.stop(paths) { stopped.append("postfix") }
        if DovecotStore.stop(paths) { stopped.append("dovecot") }
        return stopped
    }
}
