import PlanModel
import Steps

/// `simple` (DESIGN.md section 2): switch every user's mailHost, dirsync, stop sendmail, import
/// and verify everyone, wait for "clients now point to the new server", start the new server,
/// then retire sources. Users are down during the cutover. `after` orders each phase between
/// batches (a later batch's directory change and imports follow the earlier batch's).
enum SimpleLowering {
    static func lower(_ g: inout GraphBuilder) {
        let c = g.context
        var sets: [TemplateDependency] = []
        for b in c.order {
            let entry = g.precopy(b, after: g.entry(b, predecessorSteps: ["set-mailhost"]))
            sets.append(.all(g.ldapSet(b, "set-mailhost", "host", c.storeAddress, after: entry)))
        }
        var ready = sets
        if let d = c.plan.services.dirsync {
            ready = [.all(g.global("dirsync", host: d.host?.value, StepCatalogue.run(purpose: "dirsync", d), after: sets,
                label: "synchronise the store's directory cache"))]
        }
        let stop = g.service("stop-legacy-mta", .serviceStop, "legacy_mta", c.plan.services.legacyMTA, after: ready,
            label: "stop the legacy MTA")
        var imports: [TemplateDependency] = []
        var verifies: [(Int, Int)] = []
        for b in c.order {
            let (imp, ver) = g.importAndVerify(b, after: [.all(stop)] + g.all("verify", of: c.predecessors[b]))
            imports.append(.all(imp))
            verifies.append((b, ver))
        }
        let gate = g.global(
            "clients-repointed",
            StepCatalogue.gate("point mail clients at the new server, then approve", autoApprove: c.plan.policy.autoApprove),
            after: verifies.map { .all($0.1) }, label: "clients now point to the new server")
        let start = g.service("start-store-server", .serviceStart, "store_server", c.plan.services.storeServer,
            after: [.all(gate)] + imports, label: "start the new store server")
        for (b, ver) in verifies { g.retire(b, verify: ver, after: [.all(start)]) }
    }
}
