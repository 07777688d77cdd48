/// `user.delete`: the plan's `services.deluser` command (e.g. `imdeluser {user}`) for one user, on
/// the host the plan names, after the batch's working-system gate and that user's retire.
/// Irreversible: a rollback cannot bring the account back.
public struct UserDeleteParameters: StepParameterSet {
    public var argv: [String]
    /// Exit 0 means the user is already deleted (the step is then done without running `argv`).
    public var check: [String]?
    /// Seconds; nil means the runner's default.
    public var timeout: Int?
    /// The verify that must have passed for the same user.
    public var verifyStep: StepReference

    public init(argv: [String], check: [String]? = nil, timeout: Int? = nil, verifyStep: StepReference) {
        self.argv = argv
        self.check = check
        self.timeout = timeout
        self.verifyStep = verifyStep
    }

    enum CodingKeys: String, CodingKey { case argv, check, timeout, verifyStep = "verify_step" }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.argv = argv.map(t)
        c.check = check.expanded(t)
        c.verifyStep = verifyStep.expanded(t)
        return c
    }
}
