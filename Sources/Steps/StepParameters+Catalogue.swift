/// The parameter keys each step kind carries: the contract between the compiler's lowering and
/// the drivers. Keys are snake_case, like the plan file. Strings may hold `{user}`, `{batch}`,
/// `{host}` and `{mbox}` placeholders until a `StepInstance` expands them.
///
/// | kind | keys |
/// |---|---|
/// | ldap.set | `set` list of `attribute=value`; `object_classes` list (added when an entry lacks one) |
/// | command | `purpose` text (dirsync, hold_slave, hold_master, proxy_setup, choke_hold, choke_release, deluser); `argv` list; `check` list (optional: exit 0 = already done); `per_user` flag; `timeout` number (s) |
/// | service.stop / service.start | `service` text; `argv` list; `running` list (exit 0 = running) or `pid_file` text; `wait` number (s) |
/// | forward.divert | `forward_file` text (`/home/{user}/.forward`); `saved_path` text (`/var/mail.saved/{user}`); `keep_local` flag |
/// | forward.restore | `forward_file` text; `divert_step` text (id of the divert step whose outputs hold the previous files) |
/// | mailbox.import | `mbox` text; `format` text (auto, mboxo, mboxrd, mboxcl, mboxcl2, solaris); `timezone` text; `store_kind` text (maildir, command); `maildir` text; `import_argv` list and `count_argv` list (command stores); `owner` text (optional); `lock` flag (take the spool lock) |
/// | mailbox.verify | `mbox`, `maildir` (or `count_argv`), `store_kind`, `mode` text (count, digest); `import_step` text |
/// | saved.import | `saved_path` text (an mbox written by `.forward`); `maildir`; `store_kind`; `import_argv`; `owner` text (optional) |
/// | hold.release | `spool_dir` text (one file per held message); `maildir`; `store_kind`; `import_argv`; `owner` text (optional) |
/// | source.retire | `mbox`; `mode` text (keep, archive, delete); `archive_dir` text; `argv` list (optional, e.g. imdeluser); `verify_step` text |
/// | gate | `message` text; `auto_approve` flag |
public enum StepParameterKey {
    public static let set = "set"
    public static let objectClasses = "object_classes"
    public static let purpose = "purpose"
    public static let argv = "argv"
    public static let check = "check"
    public static let perUser = "per_user"
    public static let timeout = "timeout"
    public static let service = "service"
    public static let running = "running"
    public static let pidFile = "pid_file"
    public static let wait = "wait"
    public static let forwardFile = "forward_file"
    public static let savedPath = "saved_path"
    public static let keepLocal = "keep_local"
    public static let divertStep = "divert_step"
    public static let mbox = "mbox"
    public static let format = "format"
    public static let timezone = "timezone"
    public static let storeKind = "store_kind"
    public static let maildir = "maildir"
    public static let importArgv = "import_argv"
    public static let countArgv = "count_argv"
    public static let owner = "owner"
    public static let lock = "lock"
    public static let mode = "mode"
    public static let importStep = "import_step"
    public static let spoolDir = "spool_dir"
    public static let archiveDir = "archive_dir"
    public static let verifyStep = "verify_step"
    public static let message = "message"
    public static let autoApprove = "auto_approve"
}
