import PlanModel
import Steps

/// The seed's "populate the directory": with `directory.create`, each batch starts with
/// `<b>/create-entries`, which adds the entries its users lack, before any directory change.
extension GraphBuilder {
    /// Adds the batch's create step when the plan has a template; returns what comes next waits for.
    mutating func populate(_ b: Int, after deps: [TemplateDependency]) -> [TemplateDependency] {
        guard let template = context.plan.directory?.create, let dn = template.dn?.value else { return deps }
        let attributes = template.attributes.flatMap { a in a.values.map { "\(a.name.value)=\($0)" } }
        var parameters = LDAPCreateParameters(dn: dn, attributes: attributes)
        if let (path, file) = context.createRows {
            // The batch's users' rows only, in user order (the step's fingerprint is stable).
            parameters.from = path
            parameters.rows = context.roster.users[batchInfos[b].users].flatMap { user -> [String] in
                guard let row = file.rows[user] else { return [] }
                return file.columns.flatMap { c in (row.values[c] ?? []).map { "\(user)/\(c)=\($0)" } }
            }
        }
        let t = step(
            b, "create-entries", .ldapCreate(parameters), after: deps,
            label: "create the directory entries the batch's users lack")
        return [.all(t)]
    }
}
