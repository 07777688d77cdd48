import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lab's new store: a private Dovecot on 127.0.0.1 serving the lab's Maildirs over IMAP and
/// taking delivery over LMTP. Its configuration, base_dir, state and log are all under
/// `DIR/mail`; it runs as root's master with mail processes as the store owner (`mail`), because
/// Dovecot refuses mail access as uid 0.
public struct DovecotStore: Sendable {
    public static let binary = "/usr/sbin/dovecot"
    public let paths: LabPaths
    public let domain: String
    public let imapPort: Int
    public let lmtpPort: Int
    public let owner: StoreOwner

    public init(paths: LabPaths, domain: String, imapPort: Int, lmtpPort: Int, owner: StoreOwner) {
        self.paths = paths
        self.domain = domain
        self.imapPort = imapPort
        self.lmtpPort = lmtpPort
        self.owner = owner
    }

    /// dovecot.conf: nothing from /etc/dovecot is read.
    public var configuration: String {
        "# The mailshift lab's store (written by `mailshift lab up`); private to \(paths.root).\n"
            + DovecotSettings.head(
                base: paths.dovecotBase, state: paths.dovecot + "/state", instance: "mailshift-lab-\(imapPort)", protocols: "imap lmtp",
                log: paths.dovecotLog, firstUID: owner.uid, firstGID: owner.gid) + """
        mail_location = maildir:~/Maildir
        passdb {
          driver = passwd-file
          args = scheme=PLAIN \(paths.dovecotPasswd)
        }
        userdb {
          driver = static
          args = uid=\(owner.uid) gid=\(owner.gid) home=\(paths.storeRoot)/%n
        }
        service imap-login {
          inet_listener imap {
            address = 127.0.0.1
            port = \(imapPort)
          }
          inet_listener imaps {
            port = 0
          }
        }
        service lmtp {
          inet_listener lmtp {
            address = 127.0.0.1
            port = \(lmtpPort)
          }
          unix_listener lmtp {
            mode = 0600
          }
        }
        service auth {
          unix_listener auth-userdb {
            mode = 0600
          }
        }
        protocol lmtp {
          postmaster_address = postmaster@\(domain)
        }

        """
    }

    /// Writes the configuration and the users' IMAP passwords (readable by Dovecot's auth only).
    public func write(users: [String], password: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: paths.dovecot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try configuration.write(toFile: paths.dovecotConfig, atomically: true, encoding: .utf8)
        let lines = users.map { "\($0):{PLAIN}\(password)::::::\n" }.joined()
        guard let group = getgrnam("dovecot") else {
            throw LabError("there is no 'dovecot' group", hint: "install dovecot-core (scripts/install-deps)")
        }
        try LabSecrets.write(lines, toFile: paths.dovecotPasswd, readableBy: group.pointee.gr_gid)
    }

    /// Starts the daemon (it backgrounds itself) and waits until IMAP and LMTP accept.
    public func start() throws {
        if LabProcess.livePid(pidFile) != nil { return }
        let output = try LabProcess.outputAndStatus(Self.binary, ["-c", paths.dovecotConfig])
        guard output.status == 0 else {
            throw LabError("dovecot did not start: \(output.text)", hint: "see \(paths.dovecotLog)")
        }
        try LabDaemonWait.until("dovecot on 127.0.0.1:\(imapPort) and :\(lmtpPort)", log: paths.dovecotLog) {
            LoopbackPorts.accepts(imapPort) && LoopbackPorts.accepts(lmtpPort)
        }
    }

    public var pidFile: String { paths.dovecotBase + "/master.pid" }

    /// Stops the master and its children; true when something was running.
    @discardableResult
    public static func stop(_ paths: LabPaths) -> Bool {
        let pidFile = paths.dovecotBase + "/master.pid"
        guard LabProcess.livePid(pidFile) != nil else { return false }
        LabProcess.stop(pidFile: pidFile)
        return true
    }
}
