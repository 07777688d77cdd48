import Digest
import PlanModel
import Steps

/// Accumulates step templates for one plan: ids follow `<batch>/<step>[/<user>]` and
/// `global/<step>`, and each batch's templates are remembered by step name for later edges.
struct GraphBuilder {
    let context: LoweringContext
    private(set) var templates: [StepTemplate] = []
    private(set) var batchInfos: [BatchInfo]
    /// Per roster batch: step name → template index.
    private(set) var named: [[String: Int]]
    /// Per roster batch: its templates in emission order.
    private(set) var owned: [[Int]]

    init(context: LoweringContext) {
        self.context = context
        let policy = context.plan.policy
        batchInfos = context.roster.batches.map { rb in
            let users = context.roster.users[rb.users]
            let limit: Int? =
                switch policy.maxFailures {
                case .count(let n)?: n
                case .percent(let p)?: Int((Double(users.count) * p / 100).rounded(.down))
                case nil: nil
                }
            return BatchInfo(name: rb.name, users: rb.users, usersFingerprint: UserListDigest.fingerprint(users), maxFailures: limit)
        }
        named = Array(repeating: [:], count: batchInfos.count)
        owned = Array(repeating: [], count: batchInfos.count)
    }

    /// Adds a plan-wide step `global/<name>`.
    @discardableResult
    mutating func global(
        _ name: String, host: String? = nil, _ action: StepAction, after deps: [TemplateDependency],
        label: String
    ) -> Int {
        templates.append(StepTemplate(idPrefix: "global/\(name)", action: action, host: host, dependencies: deps, label: label))
        return templates.count - 1
    }

    /// Adds a step of batch `b`: one per user (`perUser`) or one acting on the whole batch.
    @discardableResult
    mutating func step(
        _ b: Int, _ name: String, perUser: Bool = false, host: String? = nil, _ action: StepAction,
        after deps: [TemplateDependency], label: String
    ) -> Int {
        let info = batchInfos[b]
        templates.append(
            StepTemplate(
                idPrefix: "\(info.name)/\(name)", action: action, batch: b, batchUsersFingerprint: info.usersFingerprint,
                fanout: perUser ? .perUser : .single, host: host, dependencies: deps, label: label))
        let t = templates.count - 1
        named[b][name] = t
        owned[b].append(t)
        return t
    }

    /// What batch `b`'s first steps wait for: the last steps of the batches before it, then its own
    /// approval gate when the plan asks for one. `extra` adds plan-wide prerequisites.
    /// With `predecessorSteps`, only those steps of the earlier batches are waited for.
    mutating func entry(_ b: Int, extra: [TemplateDependency] = [], predecessorSteps: [String]? = nil) -> [TemplateDependency] {
        // `extra` (plan-wide prerequisites) is the same for every batch of a strategy, so a batch
        // that follows others already waits for it through them: the edge would only add noise.
        var deps = context.predecessors[b].isEmpty ? extra : []
        for p in context.predecessors[b] {
            if let names = predecessorSteps {
                deps += names.flatMap { all($0, of: [p]) }
            } else {
                deps += sinks(of: p).map { .all($0) }
            }
        }
        guard context.approve(b) else { return populate(b, after: deps) }
        let gate = step(
            b, "approve", StepCatalogue.gate("approve batch \(batchInfos[b].name) before it starts", autoApprove: false),
            after: deps, label: "approval to start batch \(batchInfos[b].name)")
        return populate(b, after: [.all(gate)])
    }

    /// Batch `p`'s templates that no other template of `p` waits for: when they are done, the batch is.
    func sinks(of p: Int) -> [Int] {
        var waitedFor = Set<Int>()
        for t in owned[p] {
            for d in templates[t].dependencies {
                switch d {
                case .all(let u), .sameUser(let u): waitedFor.insert(u)
                }
            }
        }
        return owned[p].filter { !waitedFor.contains($0) }
    }

    /// `.all` edges to step `name` of each batch in `batches`.
    func all(_ name: String, of batches: [Int]) -> [TemplateDependency] {
        batches.compactMap { named[$0][name] }.map { .all($0) }
    }

    func template(_ b: Int, _ name: String) -> Int? { named[b][name] }

    /// A typed handle to template `t`'s step: the same user's, or its single step.
    func reference(to t: Int) -> StepReference {
        StepReference(idPrefix: templates[t].idPrefix, sameUser: templates[t].fanout == .perUser)
    }

    func graph() -> StepGraph {
        let plan = context.plan
        return StepGraph(
            planName: plan.name?.value ?? "", strategy: context.strategy.rawValue, users: context.roster.users,
            batches: batchInfos, templates: templates, hosts: Endpoints.hosts(plan), directory: plan.directory.map(Endpoints.directory),
            policy: Endpoints.policy(plan.policy))
    }
}
