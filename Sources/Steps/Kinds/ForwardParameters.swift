/// `forward.divert`: write each batch user's `~/.forward` so new mail is saved aside. Batch scope;
/// `{user}` stays in the templates and is expanded per user by the runner.
public struct ForwardDivertParameters: StepParameterSet {
    public var forwardFile: String
    public var savedPath: String
    /// Also keep a copy in the legacy spool.
    public var keepLocal: Bool
    /// nil: the mail user (the production default).
    public var owner: ForwardFileOwner?

    public init(forwardFile: String, savedPath: String, keepLocal: Bool, owner: ForwardFileOwner? = nil) {
        self.forwardFile = forwardFile
        self.savedPath = savedPath
        self.keepLocal = keepLocal
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey {
        case forwardFile = "forward_file", savedPath = "saved_path", keepLocal = "keep_local", owner = "forward_owner"
    }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.forwardFile = t(forwardFile)
        c.savedPath = t(savedPath)
        return c
    }
}

/// `forward.restore`: put back each batch user's previous `~/.forward`, from the divert's outputs.
public struct ForwardRestoreParameters: StepParameterSet {
    public var forwardFile: String
    public var divertStep: StepReference
    public var owner: ForwardFileOwner?

    public init(forwardFile: String, divertStep: StepReference, owner: ForwardFileOwner? = nil) {
        self.forwardFile = forwardFile
        self.divertStep = divertStep
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey { case forwardFile = "forward_file", divertStep = "divert_step", owner = "forward_owner" }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.forwardFile = t(forwardFile)
        c.divertStep = divertStep.expanded(t)
        return c
    }
}
