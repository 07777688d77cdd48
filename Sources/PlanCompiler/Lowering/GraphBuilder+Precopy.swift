import Steps

/// Pre-copy (`policy.precopy`, or a batch's `precopy`): each user's mailbox is imported while the
/// user is still live on the legacy host, before the batch's window opens (before anything
/// diverts, holds or reroutes its mail); the window's import then moves only the delta.
extension GraphBuilder {
    /// `<b>/precopy/<user>` after `deps` when batch `b` pre-copies; returns what the window's first
    /// step must wait for (every user's pre-copy), or `deps` unchanged.
    mutating func precopy(_ b: Int, after deps: [TemplateDependency]) -> [TemplateDependency] {
        let passes = context.precopyPasses(b)
        guard passes > 0, case .mailboxImport(var parameters) = StepCatalogue.mailboxImport(context) else { return deps }
        parameters.precopyPasses = passes
        let t = step(
            b, "precopy", perUser: true, host: context.sourceHost, .mailboxImport(parameters), after: deps,
            label: "pre-copy the mailbox while the user is live (\(passes) pass\(passes == 1 ? "" : "es"))")
        return [.all(t)]
    }

    /// The window's import: after a pre-copy, it takes the delta against the pre-copy's ledger.
    func windowImport(_ b: Int) -> StepAction {
        let action = StepCatalogue.mailboxImport(context)
        guard let pre = template(b, "precopy"), case .mailboxImport(var parameters) = action else { return action }
        parameters.precopyStep = reference(to: pre)
        return .mailboxImport(parameters)
    }
}
