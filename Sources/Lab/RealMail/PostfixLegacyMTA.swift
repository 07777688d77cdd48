import Foundation
import SafeFiles
#if canImport(Glibc)
import Glibc
#endif

/// The legacy host's MTA: a second private Postfix on 127.0.0.1 (the port the front MX relays
/// legacy users' mail to) whose `local` delivery writes the lab spool as Berkeley mbox, under
/// the usual locks (fcntl + dotlock), and honours the user's `.forward`, file targets included.
///
/// Lab users are not system accounts, and Postfix `local` knows only passwd users. So each lab
/// user is an address extension of root: `virtual_alias_maps` turns `alice@DOMAIN` into
/// `root+alice`, and `forward_path` looks for `DIR/home/alice/.forward` first, then for the
/// lab's own default route `DIR/mail/legacy/mailbox/alice`, a one-line forward file naming
/// `DIR/spool/alice`. A user's `.forward` thus works as on the legacy host (a file target, a
/// pipe), and without one the mail goes to the spool file, which `local` appends to under its
/// locks. Root, because the `.forward` files mailshift writes for lab users are root's (the
/// plans say `forward.owner: unchanged`: there is no user account to give them to); `local`
/// reads them as root but writes files and runs commands as `default_privs`, the mailbox owner
/// (`mail`), who owns the spool and the saved-mail files. Mailbox delivery (no forward file
/// found or readable) is deferred, never written to a mailbox named after root.
public struct PostfixLegacyMTA: Sendable {
    public let paths: LabPaths
    public let config: LabConfig
    public let domain: String
    public let port: Int
    public let owner: StoreOwner

    public init(paths: LabPaths, config: LabConfig, domain: String, port: Int, owner: StoreOwner) {
        self.paths = paths
        self.config = config
        self.domain = domain
        self.port = port
        self.owner = owner
    }

    public var mainCf: String {
        """
        # The mailshift lab's legacy host MTA (written by `mailshift lab up`); private to \(paths.root).
        compatibility_level = 3.6
        queue_directory = \(paths.legacyQueue)
        data_directory = \(paths.legacyData)
        mail_owner = postfix
        setgid_group = postdrop
        myhostname = \(config.legacyHost)
        mydomain = \(domain)
        myorigin = \(config.legacyHost)
        mydestination = \(config.legacyHost)
        inet_interfaces = 127.0.0.1
        inet_protocols = ipv4
        mynetworks = 127.0.0.0/8
        relay_domains =
        smtpd_recipient_restrictions = permit_mynetworks, reject
        virtual_alias_domains = \(domain)
        virtual_alias_maps = hash:\(paths.legacyConfig)/users
        local_recipient_maps =
        alias_maps =
        alias_database =
        recipient_delimiter = +
        default_privs = \(owner.name)
        mailbox_transport = retry:4.3.5 the lab has no mailbox route for this address
        forward_path = \(paths.homes)/${extension}/.forward, \(paths.legacyMailbox)/${extension}
        # The extension comes from the address (root+EXT): no '.' or '/' may reach the path,
        # or `root+../../etc/x` would make local read any root-owned file as a .forward.
        forward_expansion_filter = abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_
        allow_mail_to_files = alias, forward, include
        allow_mail_to_commands = alias, forward, include
        mail_spool_directory = \(paths.spool)
        mailbox_delivery_lock = fcntl, dotlock
        home_mailbox =
        mailbox_command =
        local_transport = local:\(config.legacyHost)
        default_transport = error:5.1.2 the lab's legacy host delivers only to its own users
        smtp_dns_support_level = disabled
        smtputf8_enable = no
        biff = no
        maillog_file = \(paths.mailLog)
        maillog_file_prefixes = \(paths.root)
        syslog_name = mailshift-lab-legacy
        queue_run_delay = 5s
        minimal_backoff_time = 5s
        maximal_backoff_time = 30s

        """
    }

    /// Without `smtpd` the instance accepts nothing new but still delivers what it queued
    /// (how `stop` drains it before it stops).
    func masterCf(listening: Bool) -> String {
        PostfixServices.masterCf(
            role: "legacy MTA", listener: listening ? "127.0.0.1:\(port) inet n - n - - smtpd" : nil,
            own: ["local unix - n n - - local"])
    }

    /// The default route of `user`: a forward file whose only line is the spool file.
    func mailboxRoute(_ user: String) -> String { paths.spoolFile(user) + "\n" }

    /// Writes the instance's files and hands the spool, the saved-mail directory and the
    /// mailboxes to the account `local` delivers as.
    public func write() throws {
        let fm = FileManager.default
        guard let postfixUser = getpwnam("postfix") else {
            throw LabError("there is no 'postfix' user", hint: "install postfix (scripts/install-deps)")
        }
        for user in config.users { try LabConfigValue.requireOneLine(user, "lab user") }
        for dir in [paths.legacyPostfix, paths.legacyConfig, paths.legacyQueue, paths.legacyMailbox] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try fm.createDirectory(atPath: paths.legacyData, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chown(paths.legacyData, postfixUser.pointee.pw_uid, postfixUser.pointee.pw_gid)
        try mainCf.write(toFile: paths.legacyConfig + "/main.cf", atomically: true, encoding: .utf8)
        try masterCf(listening: true).write(toFile: paths.legacyConfig + "/master.cf", atomically: true, encoding: .utf8)
        let aliases = config.users.map { "\($0)@\(domain) root+\($0)@\(config.legacyHost)\n" }.joined()
        try aliases.write(toFile: paths.legacyConfig + "/users", atomically: true, encoding: .utf8)
        let r = try LabProcess.outputAndStatus("/usr/sbin/postmap", ["-c", paths.legacyConfig, "hash:" + paths.legacyConfig + "/users"])
        guard r.status == 0 else { throw LabError("postmap of the legacy MTA's users failed (\(r.status)): \(r.text)") }
        for user in config.users {
            try mailboxRoute(user).write(toFile: paths.legacyMailbox + "/" + user, atomically: true, encoding: .utf8)
        }
        // `local` writes as the mailbox owner: the spool files and the directories where it
        // makes dotlocks and saved-mail files are that account's, as /var/mail's are the users'.
        // The files first, through the directories' descriptors (never a path that a link put
        // in place could redirect), and only then the directories: 0755, so the legacy IMAP
        // server (group `mail`) reads the sources and cannot replace them.
        let mailOwner = FileOwner(uid: owner.uid, gid: owner.gid)
        guard let spool = try DirectoryWalk.open(paths.spool), let saved = try DirectoryWalk.open(paths.saved, createMissing: true) else {
            throw LabError("the lab's spool \(paths.spool) is missing")
        }
        // Each user's saved-mail file exists, empty and the owner's, as on a host where users own
        // theirs: a divert then leaves it as it is, and `local` can append to it.
        for user in config.users where try saved.kind(of: user) == nil {
            close(try saved.createFile(user, mode: 0o600, owner: mailOwner))
        }
        // 0640: the legacy IMAP server reads them through the group, and cannot write them.
        for user in config.users {
            guard let (fd, _) = try spool.openRegularFile(user, singleLink: true) else { continue }
            defer { close(fd) }
            try DirectoryHandle.settle(fd, mode: 0o640, owner: mailOwner, path: paths.spoolFile(user))
        }
        for dir in [spool, saved] {
            guard fchown(dir.fd, owner.uid, owner.gid) == 0, fchmod(dir.fd, 0o755) == 0 else {
                throw LabError("cannot give \(dir.path) to \(owner.name): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func start() throws {
        try Self.postfix(paths, "start")
        try LabDaemonWait.until("the legacy MTA on 127.0.0.1:\(port)", log: paths.mailLog) { LoopbackPorts.accepts(port) }
    }

    var pidFile: String { paths.legacyMTAPidFile }

    /// Starts the instance again (listening) when it is stopped: the plans' `legacy_mta` start.
    public static func start(_ paths: LabPaths, config: LabConfig) throws {
        let mta = try PostfixLegacyMTA(paths: paths, config: config, domain: config.domain ?? RealMailLab.domain,
                                       port: required(config.legacySMTP), owner: StoreOwner.lookup(config.storeOwner ?? "mail"))
        try mta.masterCf(listening: true).write(toFile: paths.legacyConfig + "/master.cf", atomically: true, encoding: .utf8)
        if LabProcess.livePid(mta.pidFile) != nil { try postfix(paths, "reload") } else { try postfix(paths, "start") }
        try LabDaemonWait.until("the legacy MTA on 127.0.0.1:\(mta.port)", log: paths.mailLog) { LoopbackPorts.accepts(mta.port) }
    }

    /// Stops the legacy MTA as a careful administrator does: stop listening (the front MX then
    /// queues what it has for the legacy host), deliver what was already accepted, then stop.
    /// Stopping with mail still queued would strand it on a host that is going away.
    public static func stop(_ paths: LabPaths, drainSeconds: TimeInterval = 30) throws {
        guard LabProcess.livePid(paths.legacyMTAPidFile) != nil else { return }
        let config = try LabConfig.load(paths)
        let mta = try PostfixLegacyMTA(paths: paths, config: config, domain: config.domain ?? RealMailLab.domain,
                                       port: required(config.legacySMTP), owner: StoreOwner.lookup(config.storeOwner ?? "mail"))
        try mta.masterCf(listening: false).write(toFile: paths.legacyConfig + "/master.cf", atomically: true, encoding: .utf8)
        try postfix(paths, "reload")
        let deadline = Date().addingTimeInterval(drainSeconds)
        while try !queueEmpty(paths) {
            guard Date() < deadline else {
                throw LabError("the legacy MTA still has mail queued after \(Int(drainSeconds)) s; not stopping it",
                               hint: "see \(paths.mailLog); `postqueue -c \(paths.legacyConfig) -p` lists it")
            }
            _ = try? LabProcess.outputAndStatus(PostfixFrontMX.postqueue, ["-c", paths.legacyConfig, "-f"])
            usleep(200_000)
        }
        _ = try? LabProcess.outputAndStatus(PostfixFrontMX.postfix, ["-c", paths.legacyConfig, "stop"])
        LabProcess.stop(pidFile: paths.legacyMTAPidFile)
    }

    /// Stops it at once (`lab down`); true when it was running.
    @discardableResult
    public static func halt(_ paths: LabPaths) -> Bool {
        let pidFile = paths.legacyMTAPidFile
        guard LabProcess.livePid(pidFile) != nil else { return false }
        _ = try? LabProcess.outputAndStatus(PostfixFrontMX.postfix, ["-c", paths.legacyConfig, "stop"])
        LabProcess.stop(pidFile: pidFile)
        return true
    }

    /// True while the instance runs and listens.
    public static func running(_ paths: LabPaths) -> Bool { LabProcess.livePid(paths.legacyMTAPidFile) != nil }

    static func queueEmpty(_ paths: LabPaths) throws -> Bool {
        let r = try LabProcess.outputAndStatus(PostfixFrontMX.postqueue, ["-c", paths.legacyConfig, "-j"])
        guard r.status == 0 else { throw LabError("postqueue -j on the legacy MTA failed (\(r.status)): \(r.text)") }
        return r.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    static func postfix(_ paths: LabPaths, _ command: String) throws {
        let r = try LabProcess.outputAndStatus(PostfixFrontMX.postfix, ["-c", paths.legacyConfig, command])
        guard r.status == 0 else {
            throw LabError("postfix -c \(paths.legacyConfig) \(command) failed (\(r.status)): \(r.text)", hint: "see \(paths.mailLog)")
        }
    }

    static func required(_ endpoint: LabEndpoint?) throws -> Int {
        guard let endpoint else { throw LabError("lab.json names no legacy MTA port", hint: "this lab was made with `--mail stand-in`") }
        return endpoint.port
    }
}
