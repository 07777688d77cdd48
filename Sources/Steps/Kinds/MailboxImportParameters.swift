/// `mailbox.import`: one user's spool mailbox into the store. Per user.
public struct MailboxImportParameters: StepParameterSet {
    /// The spool mailbox, e.g. `/var/mail/{user}`.
    public var mbox: String
    /// The mbox variant: auto, mboxo, mboxrd, mboxcl, mboxcl2, solaris.
    public var format: String
    /// IANA zone the legacy host wrote `From ` lines in.
    public var timezone: String
    public var store: StoreTarget
    /// Take the spool lock while reading.
    public var lock: Bool
    /// With `format: auto`, how to read a mailbox mboxo and mboxrd read differently (mboxo or
    /// mboxrd); nil refuses it.
    public var ifAmbiguous: String?
    /// Set on a pre-copy step (`<batch>/precopy/<user>`): how many import passes it makes.
    public var precopyPasses: Int?
    /// Set on a window import that follows a pre-copy: the delta is taken against its ledger.
    public var precopyStep: StepReference?

    enum CodingKeys: String, CodingKey {
        case mbox, format, timezone, store, lock, ifAmbiguous = "if_ambiguous", precopyPasses = "precopy_passes"
        case precopyStep = "precopy_step"
    }

    public init(mbox: String, format: String, timezone: String, store: StoreTarget, lock: Bool, ifAmbiguous: String? = nil) {
        self.mbox = mbox
        self.format = format
        self.timezone = timezone
        self.store = store
        self.lock = lock
        self.ifAmbiguous = ifAmbiguous
    }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.mbox = t(mbox)
        c.store = store.expanded(t)
        c.precopyStep = precopyStep?.expanded(t)
        return c
    }
}
