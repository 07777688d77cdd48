import SafeFiles
import Steps

/// The two imports of a pre-copy plan: the pre-copy itself (while the user is live; leaves a
/// ledger of what it stored), and the window's import, which first reconciles the store with
/// the mailbox against that ledger, then stores only what is new.
extension MailboxImportRunner {
    /// A window import after a pre-copy is never found done by counting what is missing: messages
    /// deleted or re-flagged on the legacy host leave nothing missing, and still change the store.
    /// A pre-copy is done only with its ledger journaled and in place: one killed after storing
    /// every message but before its ledger must run again, or the window could remove nothing.
    func precopyInspection(_ step: StepInstance, mbox: String, maildir: String, context: StepContext) throws -> Inspection? {
        let parameters = try step.parameters(MailboxImportParameters.self)
        if parameters.precopyStep != nil {
            return .pending([PlannedChange(.modify, "move the delta since the pre-copy of \(mbox) into \(maildir)")])
        }
        guard parameters.precopyPasses != nil, try SourceFile.exists(mbox) else { return nil }
        if let journaled = context.previousOutputs?.decode(PrecopyOutputs.self),
            try PrecopyLedger.read(maildir: maildir, journaled: journaled) != nil
        {
            return nil
        }
        return .pending([PlannedChange(.add, "pre-copy \(mbox) into \(maildir) and record its ledger")])
    }

    /// The outputs of a pre-copy or a window import after one; nil for a plain import.
    func applyPrecopy(_ step: StepInstance, _ p: MailboxStepParameters, mbox: String, maildir: String, context: StepContext)
        async throws -> StepOutputs?
    {
        let parameters = try step.parameters(MailboxImportParameters.self)
        guard parameters.precopyPasses != nil || parameters.precopyStep != nil else { return nil }
        guard step.remoteHost == nil else {
            throw StepError.permanent("\(step.id): a pre-copy needs the spool and the store on this host",
                hint: "run mailshift on the legacy host with the store mounted, or turn precopy off")
        }
        let options = try p.importOptions(step)
        if let passes = parameters.precopyPasses {
            guard try SourceFile.exists(mbox) else { return nil }
            // A repeated pre-copy (`mailshift sync` again) reconciles against the ledger it left.
            let previous = try context.previousOutputs?.decode(PrecopyOutputs.self).flatMap { try PrecopyLedger.read(maildir: maildir, journaled: $0) }
            let (report, ledger) = try await BlockingWork.run {
                try PrecopyPass.run(file: mbox, maildir: maildir, options: options, passes: passes, previous: previous)
            }
            context.log("\(mbox): pre-copied \(report.imported) messages (\(passes) passes); \(ledger.count) in the ledger")
            return Self.outputs(report).merging(
                StepOutputs(encoding: PrecopyOutputs(ledgerSHA256: ledger.sha256, ledgerEntries: ledger.count, passes: passes)))
        }
        // A missing mailbox is not "every message deleted": nothing is removed for it.
        guard let reference = parameters.precopyStep, try SourceFile.exists(mbox) else { return nil }
        let journaled = context.outputs(of: reference.id)?.decode(PrecopyOutputs.self)
        let ledger = try journaled.flatMap { try PrecopyLedger.read(maildir: maildir, journaled: $0) }
        if journaled != nil && ledger == nil {
            context.log("\(maildir): the pre-copy ledger is missing or not the one journaled; nothing is removed or renamed")
        }
        let (delta, report) = try await BlockingWork.run {
            try PrecopyDelta.run(file: mbox, maildir: maildir, options: options, ledger: ledger)
        }
        context.log("\(mbox): delta: \(report.imported) new, \(delta.removed) removed, \(delta.renamed) moved, \(delta.flagged) reflagged")
        return Self.outputs(report).merging(StepOutputs(encoding: delta))
    }
}
