/// `source.retire`: keep, archive or delete a source mailbox, only after its verify passed. Per
/// user. Irreversible.
public struct SourceRetireParameters: StepParameterSet {
    public var mbox: String
    public var mode: RetireMode
    public var archiveDir: String?
    /// Run after the mailbox is retired, e.g. imdeluser.
    public var argv: [String]?
    /// The verify that must have passed, for the same source identity.
    public var verifyStep: StepReference

    public init(mbox: String, mode: RetireMode, archiveDir: String? = nil, argv: [String]? = nil, verifyStep: StepReference) {
        self.mbox = mbox
        self.mode = mode
        self.archiveDir = archiveDir
        self.argv = argv
        self.verifyStep = verifyStep
    }

    enum CodingKeys: String, CodingKey { case mbox, mode, archiveDir = "archive_dir", argv, verifyStep = "verify_step" }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.mbox = t(mbox)
        c.archiveDir = archiveDir.expanded(t)
        c.argv = argv.expanded(t)
        c.verifyStep = verifyStep.expanded(t)
        return c
    }
}
