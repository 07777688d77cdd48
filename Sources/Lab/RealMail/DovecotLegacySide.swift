import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The legacy host's IMAP side, two private Dovecot instances on 127.0.0.1:
///
/// - **legacy IMAP**: serves each user's spool file (`DIR/spool/USER`, mbox) as INBOX, with
///   in-memory indexes. Its mail processes run as `nobody` in the mailbox owner's group, which
///   may read the spool (0640) but not write it: Dovecot then opens each mbox read-only and
///   never adds its X-UID/Status headers (it does on a plain read otherwise), so serving the
///   mailboxes cannot change a source before it is imported;
/// - **proxy**: the address clients keep. Each login is routed by the user's `mailHost` in the
///   directory: two LDAP passdbs (read-only bind), one matching entries whose mailHost is the
///   store (→ the store's IMAP), one matching the legacy host (→ legacy IMAP). The password goes
///   through to the backend, which checks it (`nopassword=y` at the proxy).
public struct DovecotLegacySide: Sendable {
    public let paths: LabPaths
    public let config: LabConfig
    public let owner: StoreOwner
    public let legacyIMAPPort: Int
    public let proxyPort: Int
    public let storeIMAPPort: Int

    public init(paths: LabPaths, config: LabConfig, owner: StoreOwner, legacyIMAPPort: Int, proxyPort: Int, storeIMAPPort: Int) {
        self.paths = paths
        self.config = config
        self.owner = owner
        self.legacyIMAPPort = legacyIMAPPort
        self.proxyPort = proxyPort
        self.storeIMAPPort = storeIMAPPort
    }

    /// What both instances share: plaintext logins on 127.0.0.1, nothing from /etc/dovecot.
    func common(base: String, name: String, port: Int, firstUID: uid_t) -> String {
        DovecotSettings.head(
            base: base + "/base", state: base + "/state", instance: "mailshift-lab-\(name)-\(port)", protocols: "imap",
            log: paths.dovecotLog, firstUID: firstUID, firstGID: owner.gid) + """
        service imap-login {
          inet_listener imap {
            address = 127.0.0.1
            port = \(port)
          }
          inet_listener imaps {
            port = 0
          }
        }
        service auth {
          unix_listener auth-userdb {
            mode = 0600
          }
        }

        """
    }

    /// The legacy IMAP server's mail processes' uid: `nobody` (read-only on the spool).
    var reader: uid_t { getpwnam("nobody").map { $0.pointee.pw_uid } ?? 65534 }

    public var legacyIMAPConfiguration: String {
        "# The mailshift lab's legacy IMAP server (written by `mailshift lab up`): the spool as INBOX.\n"
            + common(base: paths.legacyIMAP, name: "legacy-imap", port: legacyIMAPPort, firstUID: min(reader, owner.uid)) + """
            mail_location = mbox:\(paths.legacyIMAP)/mail/%n:INBOX=\(paths.spool)/%n:INDEX=MEMORY
            mbox_read_locks = fcntl
            mbox_write_locks = dotlock fcntl
            passdb {
              driver = passwd-file
              args = scheme=PLAIN \(paths.dovecotPasswd)
            }
            userdb {
              driver = static
              args = uid=\(reader) gid=\(owner.gid) home=\(paths.legacyIMAP)/mail/%n
            }

            """
    }

    public var proxyConfiguration: String {
        "# The mailshift lab's IMAP proxy on the legacy host (written by `mailshift lab up`): routes by mailHost.\n"
            + common(base: paths.imapProxy, name: "proxy", port: proxyPort, firstUID: owner.uid) + """
            passdb {
              driver = ldap
              args = \(paths.imapProxy)/store.ldap.conf
            }
            passdb {
              driver = ldap
              args = \(paths.imapProxy)/legacy.ldap.conf
            }
            # a proxy serves no mailbox; Dovecot still wants a userdb
            userdb {
              driver = static
              args = uid=\(owner.uid) gid=\(owner.gid) home=/nonexistent
            }

            """
    }

    /// One routing passdb: entries whose mailHost is `host` go to 127.0.0.1:`port`.
    func route(host: String, port: Int) -> String {
        let layout = DirectoryLayout()
        return """
            # written by `mailshift lab up`: logins of users whose mailHost is \(host) (read-only bind)
            uris = \(config.ldapURL)
            ldap_version = 3
            dn = \(layout.readerDN)
            dnpass = \(layout.servicePassword)
            auth_bind = no
            base = \(config.peopleBase)
            scope = onelevel
            pass_filter = (&(uid=%n)(mailHost=\(LabConfigValue.expandingFilterValue(host))))
            pass_attrs = uid=user, =proxy=y, =host=127.0.0.1, =port=\(port), =nopassword=y

            """
    }

    public func write() throws {
        let fm = FileManager.default
        try LabConfigValue.requireOneLine(config.storeHost, "the store host")
        try LabConfigValue.requireOneLine(config.legacyHost, "the legacy host")
        for dir in [paths.legacyIMAP, paths.imapProxy, paths.legacyIMAP + "/mail"] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        // Dovecot makes each user's (empty) mailbox root here, as the mailbox owner.
        chown(paths.legacyIMAP + "/mail", reader, owner.gid)
        try legacyIMAPConfiguration.write(toFile: paths.legacyIMAP + "/dovecot.conf", atomically: true, encoding: .utf8)
        try proxyConfiguration.write(toFile: paths.imapProxy + "/dovecot.conf", atomically: true, encoding: .utf8)
        guard let group = getgrnam("dovecot") else { throw LabError("there is no 'dovecot' group", hint: "install dovecot-core (scripts/install-deps)") }
        for (name, host, port) in [("store", config.storeHost, storeIMAPPort), ("legacy", config.legacyHost, legacyIMAPPort)] {
            // holds the read-only account's password: root and Dovecot's group only
            try LabSecrets.write(route(host: host, port: port), toFile: paths.imapProxy + "/\(name).ldap.conf", readableBy: group.pointee.gr_gid)
        }
    }

    public func start() throws {
        try Self.start(config: paths.legacyIMAP + "/dovecot.conf", base: paths.legacyIMAP, port: legacyIMAPPort, log: paths.dovecotLog)
        try Self.start(config: paths.imapProxy + "/dovecot.conf", base: paths.imapProxy, port: proxyPort, log: paths.dovecotLog)
    }

    static func start(config: String, base: String, port: Int, log: String) throws {
        if LabProcess.livePid(base + "/base/master.pid") != nil { return }
        let output = try LabProcess.outputAndStatus(DovecotStore.binary, ["-c", config])
        guard output.status == 0 else { throw LabError("dovecot -c \(config) did not start: \(output.text)", hint: "see \(log)") }
        try LabDaemonWait.until("dovecot on 127.0.0.1:\(port)", log: log) { LoopbackPorts.accepts(port) }
    }

    /// Starts the proxy when it is down (the proxy plan's `proxy_server` start).
    public static func startProxy(_ paths: LabPaths, config: LabConfig) throws {
        guard let proxy = config.proxyIMAP else { throw LabError("lab.json names no IMAP proxy", hint: "this lab was made with `--mail stand-in`") }
        try start(config: paths.imapProxy + "/dovecot.conf", base: paths.imapProxy, port: proxy.port, log: paths.dovecotLog)
    }

    /// Stops both instances; names what it stopped.
    public static func stop(_ paths: LabPaths) -> [String] {
        var stopped: [String] = []
        for (name, base) in [("imap proxy", paths.imapProxy), ("legacy imap", paths.legacyIMAP)] {
            let pidFile = base + "/base/master.pid"
            guard LabProcess.livePid(pidFile) != nil else { continue }
            LabProcess.stop(pidFile: pidFile)
            stopped.append(name)
        }
        return stopped
    }
}
