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

    public init(mbox: String, format: String, timezone: String, store: StoreTarget, lock: Bool) {
        self.mbox = mbox
        self.format = format
        self.timezone = timezone
        self.store = store
        self.lock = lock
    }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.mbox = t(mbox)
        c.store = store.expanded(t)
        return c
    }
}
