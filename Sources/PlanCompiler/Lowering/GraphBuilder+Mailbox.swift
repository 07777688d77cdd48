import PlanModel
import Steps

/// Steps every strategy shares: import and verify per user, the optional per-batch dirsync.
/// The irreversible end of a batch is in `GraphBuilder+Irreversible.swift`.
extension GraphBuilder {
    /// `<b>/import/<user>` then `<b>/verify/<user>`; returns (import, verify).
    mutating func importAndVerify(_ b: Int, after deps: [TemplateDependency]) -> (Int, Int) {
        let c = context
        let imp = step(
            b, "import", perUser: true, host: c.sourceHost, windowImport(b), after: deps,
            label: "import the spool mailbox into the store")
        let ver = step(
            b, "verify", perUser: true, host: c.sourceHost, StepCatalogue.mailboxVerify(c, importStep: reference(to: imp)),
            after: [.sameUser(imp)], label: "verify the import (\(c.plan.policy.verify.rawValue))")
        return (imp, ver)
    }

    /// `<b>/dirsync` when the plan names a dirsync command; returns what the next step waits for.
    mutating func dirsync(_ b: Int, after deps: [TemplateDependency]) -> [TemplateDependency] {
        guard let d = context.plan.services.dirsync else { return deps }
        let t = step(b, "dirsync", host: d.host?.value, StepCatalogue.run(purpose: "dirsync", d), after: deps,
            label: "synchronise the store's directory cache")
        return [.all(t)]
    }

    /// `<b>/<name>`: replace directory attributes for every user of the batch, and for its group
    /// entries when it sets routing (`host`) or delivery (the hold and its release).
    mutating func ldapSet(_ b: Int, _ name: String, _ logical: String, _ value: String, after deps: [TemplateDependency]) -> Int {
        let assignment = context.set(logical, value)
        let groups = logical == "host" || logical == "delivery" ? context.groups(b) : []
        let label = "set \(assignment)" + (groups.isEmpty ? "" : " (and \(groups.count) group\(groups.count == 1 ? "" : "s"))")
        return step(b, name, StepCatalogue.ldapSet([assignment], context, groups: groups), after: deps, label: label)
    }

    /// A `service.start`/`service.stop` step for a service section, plan-wide.
    mutating func service(
        _ id: String, _ kind: StepKind, _ name: String, _ spec: ServiceSpec?, after deps: [TemplateDependency], label: String
    ) -> Int {
        let start = kind == .serviceStart
        let argv = (start ? spec?.start?.value : spec?.stop?.value) ?? []
        let p = StepCatalogue.service(name, argv: argv, spec ?? ServiceSpec(range: context.plan.range))
        return global(id, host: spec?.host?.value, start ? .serviceStart(p) : .serviceStop(p), after: deps, label: label)
    }
}
