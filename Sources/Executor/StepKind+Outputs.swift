import Steps

extension StepKind {
    /// Kinds whose outputs a later step reads and whose `apply` on work already in place only
    /// reads and reports it (an import finds every message present, a verify re-checks): found
    /// done after a kill that lost their done record, they are applied anyway so their outputs
    /// (the variant an import pinned, the source a verify saw) are journaled again. Not the
    /// directory or `.forward` kinds: applied again, they would record the new values as the old.
    var recomputesOutputs: Bool { self == .mailboxImport || self == .mailboxVerify }
}
