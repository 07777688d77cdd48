/// `hold.release`: import a native hold spool directory (one file per held message). Per user.
public struct HoldReleaseParameters: StepParameterSet {
    public var spoolDir: String
    /// The zone of any `From ` line a held file carries.
    public var timezone: String
    public var store: StoreTarget

    public init(spoolDir: String, timezone: String, store: StoreTarget) {
        self.spoolDir = spoolDir
        self.timezone = timezone
        self.store = store
    }

    enum CodingKeys: String, CodingKey { case spoolDir = "spool_dir", timezone, store }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.spoolDir = t(spoolDir)
        c.store = store.expanded(t)
        return c
    }
}
