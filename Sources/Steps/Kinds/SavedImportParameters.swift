/// `saved.import`: import the mail saved aside during the move (an mbox written by `.forward`). Per user.
public struct SavedImportParameters: StepParameterSet {
    public var savedPath: String
    /// The legacy MTA wrote the saved file's `From ` lines in the source's zone.
    public var timezone: String
    public var store: StoreTarget

    public init(savedPath: String, timezone: String, store: StoreTarget) {
        self.savedPath = savedPath
        self.timezone = timezone
        self.store = store
    }

    enum CodingKeys: String, CodingKey { case savedPath = "saved_path", timezone, store }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.savedPath = t(savedPath)
        c.store = store.expanded(t)
        return c
    }
}
