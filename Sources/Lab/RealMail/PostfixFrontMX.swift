import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lab's front MX: a private Postfix instance on 127.0.0.1 that accepts SMTP for the lab
/// domain and routes each recipient by its directory entry through `postfix-ldap` tables:
///
/// - `mailDeliveryOption: hold` → the HOLD action (the message waits in this instance's hold
///   queue until `postsuper -H`, then is routed again from the directory as it is then);
/// - `mailUserStatus: inactive` → the `moving` transport, listed in `defer_transports`: accepted
///   and queued (not refused with a 4xx the sender would have to retry), routed again when active;
/// - `mailHost` = the store → LMTP into the lab's Dovecot;
/// - any other mailHost → the legacy host's MTA (`PostfixLegacyMTA`; deferred while it is down);
/// - a group's address → its members (`virtual_alias_maps` over `member`), each routed as above,
///   except that a held member's copy (the HOLD check saw only the list's address) is deferred
///   through `moving` and goes out with the flush that releases the hold.
///
/// Its config_directory, queue_directory and data_directory are under `DIR/mail/postfix`; it
/// logs to `DIR/mail/maillog` and never reads /etc/postfix's main.cf or the system queue.
public struct PostfixFrontMX: Sendable {
    public static let postfix = "/usr/sbin/postfix"
    public static let postsuper = "/usr/sbin/postsuper"
    public static let postqueue = "/usr/sbin/postqueue"
    public let paths: LabPaths
    public let config: LabConfig
    public let domain: String
    public let smtpPort: Int
    public let lmtpPort: Int
    public let legacyPort: Int

    public init(paths: LabPaths, config: LabConfig, domain: String, smtpPort: Int, lmtpPort: Int, legacyPort: Int) {
        self.paths = paths
        self.config = config
        self.domain = domain
        self.smtpPort = smtpPort
        self.lmtpPort = lmtpPort
        self.legacyPort = legacyPort
    }

    /// The LDAP tables: file name → (filter, result format).
    var tables: [(name: String, filter: String, format: String)] {
        [
            ("recipients.cf", "(uid=%u)", "%s"),
            ("hold.cf", "(&(uid=%u)(|(mailDeliveryOption=hold)(mailUserStatus=hold)))", "HOLD mailDeliveryOption hold"),
            // A member of a list reached through the list's address is never looked up by smtpd's
            // HOLD check: routed, it waits deferred like an inactive user's mail.
            ("held.cf", "(&(uid=%u)(|(mailDeliveryOption=hold)(mailUserStatus=hold)))", "moving:[127.0.0.1]:1"),
            ("inactive.cf", "(&(uid=%u)(mailUserStatus=inactive))", "moving:[127.0.0.1]:1"),
            // the host name is a value in a filter in a %-expanding table file: escaped for both
            ("store.cf", "(&(uid=%u)(mailHost=\(LabConfigValue.expandingFilterValue(config.storeHost))))", "lmtp:inet:127.0.0.1:\(lmtpPort)"),
            ("legacy.cf", "(uid=%u)", "legacy:[127.0.0.1]:\(legacyPort)"),
        ]
    }

    /// Group entries (mailing lists): the group's address expands to its members' addresses
    /// (`member` DNs, each read back for its uid), routed each by their own entry.
    var groupTables: [(name: String, text: String)] {
        let layout = DirectoryLayout()
        let base = """
            server_host = \(config.ldapURL)
            version = 3
            bind = yes
            bind_dn = \(layout.readerDN)
            bind_pw = \(layout.servicePassword)
            search_base = \(layout.groupBase)
            scope = one
            domain = \(domain)
            query_filter = (&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(cn=%u))

            """
        return [
            ("groups.cf", "# written by `mailshift lab up`: group address -> members (postfix-ldap, read-only account)\n" + base + """
                special_result_attribute = member, uniqueMember
                leaf_result_attribute = uid
                result_format = %s@\(domain)

                """),
            ("group-recipients.cf", "# written by `mailshift lab up`: the group addresses the MX accepts\n" + base + """
                result_attribute = cn
                result_format = %s

                """),
        ]
    }

    func table(_ filter: String, _ format: String) -> String {
        let layout = DirectoryLayout()
        return """
            # written by `mailshift lab up`: a postfix-ldap table over the lab's slapd (read-only account)
            server_host = \(config.ldapURL)
            version = 3
            bind = yes
            bind_dn = \(layout.readerDN)
            bind_pw = \(layout.servicePassword)
            search_base = \(config.peopleBase)
            scope = one
            domain = \(domain)
            query_filter = \(filter)
            result_attribute = uid
            result_format = \(format)

            """
    }

    func ldap(_ name: String) -> String { "ldap:" + paths.postfixConfig + "/" + name }

    public var mainCf: String {
        """
        # The mailshift lab's front MX (written by `mailshift lab up`); private to \(paths.root).
        compatibility_level = 3.6
        queue_directory = \(paths.postfixQueue)
        data_directory = \(paths.postfixData)
        mail_owner = postfix
        setgid_group = postdrop
        myhostname = mx.\(domain)
        mydomain = \(domain)
        myorigin = \(domain)
        mydestination =
        local_recipient_maps =
        alias_maps =
        alias_database =
        inet_interfaces = 127.0.0.1
        inet_protocols = ipv4
        mynetworks = 127.0.0.0/8
        relay_domains = \(domain)
        relay_recipient_maps = \(ldap("recipients.cf")), \(ldap("group-recipients.cf"))
        virtual_alias_maps = \(ldap("groups.cf"))
        transport_maps = \(ldap("inactive.cf")), \(ldap("held.cf")), \(ldap("store.cf")), \(ldap("legacy.cf"))
        defer_transports = moving
        default_transport = error:5.1.2 the lab routes only \(domain)
        smtpd_recipient_restrictions = check_recipient_access hash:\(paths.postfixConfig)/choked, check_recipient_access \(ldap("hold.cf")), permit_mynetworks, reject_unauth_destination
        smtp_dns_support_level = disabled
        lmtp_dns_support_level = disabled
        smtputf8_enable = no
        biff = no
        maillog_file = \(paths.mailLog)
        maillog_file_prefixes = \(paths.root)
        syslog_name = mailshift-lab-mx
        queue_run_delay = 5s
        minimal_backoff_time = 5s
        maximal_backoff_time = 30s
        bounce_queue_lifetime = 1d
        maximal_queue_lifetime = 1d

        """
    }

    public var masterCf: String {
        PostfixServices.masterCf(
            role: "front MX", listener: "127.0.0.1:\(smtpPort) inet n - n - - smtpd",
            own: [
                "proxywrite unix - - n - 1 proxymap",
                "smtp unix - - n - - smtp",
                "relay unix - - n - - smtp",
                "legacy unix - - n - - smtp",
                "lmtp unix - - n - - lmtp",
                // deferred by defer_transports; a `postqueue -f` meanwhile finds nothing on port 1 and defers again
                "moving unix - - n - - smtp",
            ])
    }

    /// Writes main.cf, master.cf and the LDAP tables, and makes the queue and data directories.
    public func write() throws {
        let fm = FileManager.default
        guard let postfixUser = getpwnam("postfix") else {
            throw LabError("there is no 'postfix' user", hint: "install postfix and postfix-ldap (scripts/install-deps)")
        }
        let (uid, gid) = (postfixUser.pointee.pw_uid, postfixUser.pointee.pw_gid)
        for dir in [paths.mail, paths.postfix, paths.postfixConfig, paths.postfixQueue] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try fm.createDirectory(atPath: paths.postfixData, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chown(paths.postfixData, uid, gid)
        try mainCf.write(toFile: paths.postfixConfig + "/main.cf", atomically: true, encoding: .utf8)
        try masterCf.write(toFile: paths.postfixConfig + "/master.cf", atomically: true, encoding: .utf8)
        try "".write(toFile: paths.postfixConfig + "/choked", atomically: true, encoding: .utf8)  // the choke router's list (RealHoldChannel)
        try Self.postmap(paths.postfixConfig + "/choked", paths)
        try LabConfigValue.requireOneLine(config.storeHost, "the store host")
        for t in tables.map({ ($0.name, table($0.filter, $0.format)) }) + groupTables.map({ ($0.name, $0.text) }) {
            // holds the read-only account's password: root and the postfix group only
            try LabSecrets.write(t.1, toFile: paths.postfixConfig + "/" + t.0, readableBy: gid)
        }
    }

    /// `postfix -c DIR start`, then waits for the SMTP port.
    public func start() throws {
        let r = try LabProcess.outputAndStatus(Self.postfix, ["-c", paths.postfixConfig, "start"])
        guard r.status == 0 else {
            throw LabError("postfix -c \(paths.postfixConfig) start failed (\(r.status)): \(r.text)", hint: "see \(paths.mailLog)")
        }
        try LabDaemonWait.until("postfix on 127.0.0.1:\(smtpPort)", log: paths.mailLog) { LoopbackPorts.accepts(smtpPort) }
        // Ready means an smtpd greets (its first start takes a second or two): `up` returns with
        // an MX that answers at once.
        do {
            let probe = try SMTPClient(port: smtpPort, heloName: "lab-up.\(domain)", timeout: 30)
            probe.quit()
        } catch {
            throw LabError("postfix on 127.0.0.1:\(smtpPort) accepts connections but does not greet: \(error)", hint: "see \(paths.mailLog)")
        }
    }

    /// `postfix -c DIR reload`: the MX forgets what it resolved (its queue manager caches the
    /// last route it looked up), so queued and released mail is routed from the directory as it
    /// is now. The lab's `dirsync` does this, as the store's directory sync would.
    public static func reload(_ paths: LabPaths) throws {
        let r = try LabProcess.outputAndStatus(postfix, ["-c", paths.postfixConfig, "reload"])
        guard r.status == 0 else { throw LabError("postfix reload failed (\(r.status)): \(r.text)", hint: "see \(paths.mailLog)") }
    }

    /// `postmap hash:FILE` with this instance's configuration (builds FILE.db).
    static func postmap(_ file: String, _ paths: LabPaths) throws {
        let r = try LabProcess.outputAndStatus("/usr/sbin/postmap", ["-c", paths.postfixConfig, "hash:" + file])
        guard r.status == 0 else { throw LabError("postmap \(file) failed (\(r.status)): \(r.text)") }
    }

    /// `postfix -c DIR stop` when this lab's instance runs; true when it was running.
    @discardableResult
    public static func stop(_ paths: LabPaths) -> Bool {
        let pidFile = paths.postfixQueue + "/pid/master.pid"
        guard LabProcess.livePid(pidFile) != nil else { return false }
        _ = try? LabProcess.outputAndStatus(postfix, ["-c", paths.postfixConfig, "stop"])
        LabProcess.stop(pidFile: pidFile)
        return true
    }
}
