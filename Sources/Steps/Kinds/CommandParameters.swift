/// `command`: run an argv on a host once, or once per user of the batch (`perUser`).
public struct CommandParameters: StepParameterSet {
    /// What the command is for in the procedure: dirsync, hold_slave, hold_master, proxy_setup,
    /// choke_hold, choke_release, deluser.
    public var purpose: String
    public var argv: [String]
    /// Exit 0 means already done (makes the step idempotent and its preview exact).
    public var check: [String]?
    /// True when the argv names `{user}`: run once per user of the batch.
    public var perUser: Bool
    /// Seconds; nil means the runner's default.
    public var timeout: Int?

    public init(purpose: String, argv: [String], check: [String]? = nil, timeout: Int? = nil) {
        self.purpose = purpose
        self.argv = argv
        self.check = check
        self.perUser = argv.contains { $0.contains("{user}") }
        self.timeout = timeout
    }

    enum CodingKeys: String, CodingKey { case purpose, argv, check, perUser = "per_user", timeout }

    /// `{user}` stays in a per-user command: the runner expands it per user of the batch.
    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.argv = argv.map(t)
        c.check = check.expanded(t)
        return c
    }
}
