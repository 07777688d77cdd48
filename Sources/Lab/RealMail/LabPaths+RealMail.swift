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
    /// Every MTA of the lab logs here (Postfix `maillog_file`): the lab's `mail_log`.
    public var mailLog: String { mail + "/maillog" }
    /// What `lab traffic` sent and the MX accepted, one JSON line per message.
    public var sentLog: String { mail + "/sent.jsonl" }
}
