import PlanModel
import Steps

/// The per-batch wave `forward` and `choke` share (DESIGN.md section 2): start the new server
/// once; then per batch divert new mail aside → mailHost = store → status inactive → import →
/// verify → gate "clients repointed" → status active → bring the saved mail in → retire.
/// The two strategies differ only in how mail is diverted and how the saved mail comes back.
enum SavedMailWave {
    typealias Stage = (inout GraphBuilder, Int, [TemplateDependency]) -> Int

    static func lower(_ g: inout GraphBuilder, divert: Stage, release: Stage) {
        let c = g.context
        let start = g.service("start-store-server", .serviceStart, "store_server", c.plan.services.storeServer, after: [],
            label: "start the new store server")
        for b in c.order {
            let entry = g.precopy(b, after: g.entry(b, extra: [.all(start)]))
            let diverted = divert(&g, b, entry)
            let host = g.ldapSet(b, "set-mailhost", "host", c.storeAddress, after: [.all(diverted)])
            let inactive = g.ldapSet(b, "set-inactive", "status", "inactive", after: [.all(host)])
            let (_, ver) = g.importAndVerify(b, after: g.dirsync(b, after: [.all(inactive)]))
            let gate = g.step(
                b, "clients-repointed",
                StepCatalogue.gate("point batch \(g.batchInfos[b].name)'s mail clients at the new server, then approve",
                    autoApprove: c.plan.policy.autoApprove),
                after: [.all(ver)], label: "clients of this batch now point to the new server")
            let active = g.ldapSet(b, "set-active", "status", "active", after: [.all(gate)])
            let released = release(&g, b, [.all(active)])
            g.retire(b, verify: ver, after: [.all(released)])
        }
    }
}
