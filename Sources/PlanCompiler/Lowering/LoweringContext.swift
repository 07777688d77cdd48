import Digest
import PlanModel
import Steps

/// Everything a strategy's lowering needs, resolved once from a valid plan: host names, the
/// directory's real attribute names, and the runnable batches in dependency order.
struct LoweringContext {
    var plan: Plan
    var strategy: Strategy
    var roster: UserRoster
    var sourceHost: String
    var storeHost: String
    /// The store's mail name (`mail_host`, else `address`): the value written to mailHost.
    var storeAddress: String
    /// Logical attribute (`host`, `status`, `delivery`) → directory attribute name.
    var attributes: [String: String]
    /// Roster batch indices, each after the batches it waits for (stable: plan order otherwise).
    var order: [Int]
    /// Roster batch index → the roster batches it waits for (`after`, and the previous chunk).
    var predecessors: [[Int]]
    /// Roster batch index → the group entries moving with it (`GroupRoster`); empty when none.
    var groups: [[String]] = []
    /// `directory.create.from` as written, and its rows (`CreateRows`); nil without one.
    var createRows: (path: String, rows: CreateRowsFile)?

    init?(plan: Plan, roster: UserRoster) {
        guard let strategy = plan.strategy?.value, let source = plan.source?.host?.value, let store = plan.store else { return nil }
        let storeHost = store.host?.value ?? plan.hosts.first(where: { $0.has(.store) })?.name.value
        guard let storeHost, let storeSpec = plan.host(named: storeHost) else { return nil }
        self.plan = plan
        self.strategy = strategy
        self.roster = roster
        self.sourceHost = source
        self.storeHost = storeHost
        self.storeAddress = storeSpec.mailHostName
        self.attributes = plan.directory?.resolvedAttributes ?? DirectoryProfile.sims.attributes

        // The last chunk of each declared batch stands for the whole batch (chunks run in sequence).
        var lastChunk: [String: Int] = [:]
        for (i, rb) in roster.batches.enumerated() { lastChunk[plan.batches[rb.declared].name.value] = i }
        var preds = [[Int]](repeating: [], count: roster.batches.count)
        for (i, rb) in roster.batches.enumerated() {
            if let c = rb.chunk, c > 1 {
                preds[i] = [i - 1]
            } else {
                preds[i] = plan.batches[rb.declared].after.compactMap { lastChunk[$0.value] }
            }
        }
        self.predecessors = preds
        self.order = Self.topologicalOrder(preds)
    }

    /// Kahn's algorithm, taking the lowest ready index first so the order follows the plan.
    static func topologicalOrder(_ preds: [[Int]]) -> [Int] {
        var remaining = preds.map(\.count)
        var successors = [[Int]](repeating: [], count: preds.count)
        for (i, ps) in preds.enumerated() { for p in ps { successors[p].append(i) } }
        var ready = Array(preds.indices.filter { remaining[$0] == 0 }.reversed())
        var out: [Int] = []
        out.reserveCapacity(preds.count)
        while let i = ready.popLast() {
            out.append(i)
            for s in successors[i] {
                remaining[s] -= 1
                if remaining[s] == 0 {
                    let at = ready.firstIndex { $0 < s } ?? ready.endIndex
                    ready.insert(s, at: at)
                }
            }
        }
        return out
    }

    /// `attribute=value` for a logical attribute.
    func set(_ logical: String, _ value: String) -> String { "\(attributes[logical] ?? logical)=\(value)" }

    func batchName(_ b: Int) -> String { roster.batches[b].name }

    func groups(_ b: Int) -> [String] { b < groups.count ? groups[b] : [] }

    func approve(_ b: Int) -> Bool { plan.batches[roster.batches[b].declared].approve }

    /// Pre-copy passes before batch `b`'s window (0: none): the batch's own setting, else the policy's.
    func precopyPasses(_ b: Int) -> Int { plan.batches[roster.batches[b].declared].precopyPasses ?? plan.policy.precopyPasses }

    /// Batches with nothing to wait for: the first wave.
    var roots: [Int] { order.filter { predecessors[$0].isEmpty } }
}
