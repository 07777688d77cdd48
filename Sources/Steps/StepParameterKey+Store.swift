/// Added by the plan compiler (issue 2), alongside the catalogue in `StepParameters+Catalogue.swift`.
extension StepParameterKey {
    /// Name of the store host (a key of `StepGraph.hosts` / `StepContext.hosts`) for the kinds that
    /// write into or read from the store: mailbox.import, mailbox.verify, saved.import,
    /// hold.release. The step's own `host` is the host holding the source mail.
    public static let storeHost = "store_host"
}
