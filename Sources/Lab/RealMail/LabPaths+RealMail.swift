/// Where the real mail daemons of a lab keep their private configuration, queues and state:
/// all under `DIR/mail`, none under /etc, /var/spool or /run.
extension LabPaths {
    public var mail: String { root + "/mail" }
    public var dovecot: String { mail + "/dovecot" }
    public var dovecotConfig: String { dovecot + "/dovecot.conf" }
    /// Dovecot's base_dir (sockets, master.pid).
    public var dovecotBase: String { dovecot + "/base" }
    public var dovecotPasswd: String { dovecot + "/users.passwd" }
    public var dovecotLog: String { mail + "/dovecot.log" }
    public var postfix: String { mail + "/postfix" }
    /// The front MX's config_directory (main.cf, master.cf, the LDAP tables).
    public var postfixConfig: String { postfix + "/etc" }
    public var postfixQueue: String { postfix + "/queue" }
    public var postfixData: String { postfix + "/data" }
    /// The legacy host's Postfix (`PostfixLegacyMTA`): config, queue, data, default routes.
    public var legacyPostfix: String { mail + "/legacy" }
    public var legacyConfig: String { legacyPostfix + "/etc" }
    public var legacyQueue: String { legacyPostfix + "/queue" }
    public var legacyData: String { legacyPostfix + "/data" }
    /// One forward file per user naming the user's spool file: `local`'s route without `.forward`.
    public var legacyMailbox: String { legacyPostfix + "/mailbox" }
    /// The legacy host's Dovecot serving the spool, and its IMAP proxy (`DovecotLegacySide`).
    public var legacyIMAP: String { mail + "/legacy-imap" }
    public var imapProxy: String { mail + "/imap-proxy" }
    public var imapProxyPidFile: String { imapProxy + "/base/master.pid" }
    public var legacyMTAPidFile: String { legacyQueue + "/pid/master.pid" }
    /// Every MTA of the lab logs here (Postfix `maillog_file`): the lab's `mail_log`.
    public var mailLog: String { mail + "/maillog" }
    /// What `lab traffic` sent and the MX accepted, one JSON line per message.
    public var sentLog: String { mail + "/sent.jsonl" }
}
