/// `mailbox.verify`: prove one user's import whole. Per user.
public struct MailboxVerifyParameters: StepParameterSet {
    public var mbox: String
    /// The zone the import read `From ` lines in (the same, so both sides parse alike).
    public var timezone: String
    public var store: StoreTarget
    public var mode: VerifyMode
    /// The import this verify checks (its variant and counts are read from the journal).
    public var importStep: StepReference

    public init(mbox: String, timezone: String, store: StoreTarget, mode: VerifyMode, importStep: StepReference) {
        self.mbox = mbox
        self.timezone = timezone
        self.store = store
        self.mode = mode
        self.importStep = importStep
    }

    enum CodingKeys: String, CodingKey { case mbox, timezone, store, mode, importStep = "import_step" }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.mbox = t(mbox)
        c.store = store.expanded(t)
        c.importStep = importStep.expanded(t)
        return c
    }
}
