/// Every key a version-1 plan may contain, by section. The decoder accepts exactly these, and a
/// test holds `schemas/plan.schema.json` to the same lists, so the schema and the decoder agree.
public enum PlanKeys {
    public static let plan = [
        "version", "name", "description", "strategy", "hosts", "directory", "source", "store", "services", "forward",
        "batches", "policy",
    ]
    public static let host = ["address", "mail_host", "connect", "user", "port", "identity_file", "ssh_options", "roles"]
    public static let directory = [
        "url", "starttls", "tls_verify", "ca_file", "bind_dn", "password", "base", "user_filter", "profile",
        "attributes", "object_classes", "connect_timeout", "operation_timeout", "window", "group_filter", "group_base", "create", "replicas", "replica_timeout",
    ]
    public static let directoryCreate = ["dn", "attributes", "from"]
    public static let directoryAttributes = ["host", "status", "delivery"]
    public static let secret = ["env", "file"]
    public static let source = ["host", "spool", "format", "if_ambiguous", "timezone", "lock"]
    public static let store = ["kind", "host", "path", "owner", "import", "count"]
    public static let services = ["legacy_mta", "store_server", "proxy_server", "dirsync", "proxy_setup", "deluser", "hold", "choke", "working_check"]
    public static let service = ["host", "start", "stop", "running", "pid_file", "wait"]
    public static let run = ["host", "run", "check", "timeout"]
    public static let workingCheck = ["host", "run", "timeout", "for", "every"]
    public static let hold = ["host", "slave", "master", "spool_dir"]
    public static let choke = ["host", "hold", "release"]
    public static let forward = ["file", "saved", "keep_local", "owner"]
    public static let batch = ["name", "users", "users_file", "users_from", "chunk", "after", "approve", "precopy", "groups", "groups_file"]
    public static let precopy = ["passes"]
    public static let usersFrom = ["filter"]
    public static let policy = [
        "parallel", "per_host", "retries", "step_timeout", "max_failures", "verify", "retire_source", "archive_dir", "auto_approve",
        "confirm_before_retire",
        "precopy",
    ]
    public static let retries = ["attempts", "backoff"]
}
