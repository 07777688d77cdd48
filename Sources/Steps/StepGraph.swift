import Digest

/// The compiled plan: a DAG of steps, stored compactly as per-batch templates over user indices.
///
/// Invariants:
/// - A million users make a million-entry `users` array and a few thousand templates, not
///   millions of step objects; a `StepInstance` is materialised on demand from (template, ordinal).
/// - Step `index` runs over `0..<stepCount`: template `t` owns `offsets[t]..<offsets[t+1]`.
/// - A `.perUser` template has one step per user of its batch, id `"<idPrefix>/<user>"`;
///   a `.single` template has one step, id `idPrefix`.
/// - Dependencies are between templates: `.all(t)` waits for every step of `t`;
///   `.sameUser(t)` waits for the step of `t` with the same user (same batch, both per user).
public struct StepGraph: Sendable {
    public var planName: String
    public var strategy: String
    public var users: [String]
    public var batches: [BatchInfo]
    public var templates: [StepTemplate]
    public var hosts: [String: HostEndpoint]
    public var directory: DirectoryEndpoint?
    public var policy: RunPolicy
    public private(set) var offsets: [Int]
    public private(set) var fingerprint: Fingerprint

    public init(
        planName: String, strategy: String, users: [String], batches: [BatchInfo], templates: [StepTemplate],
        hosts: [String: HostEndpoint] = [:], directory: DirectoryEndpoint? = nil, policy: RunPolicy = RunPolicy()
    ) {
        self.planName = planName
        self.strategy = strategy
        self.users = users
        self.batches = batches
        self.templates = templates
        self.hosts = hosts
        self.directory = directory
        self.policy = policy
        var offsets = [0]
        offsets.reserveCapacity(templates.count + 1)
        for t in templates {
            let n = t.fanout == .perUser ? (t.batch.map { batches[$0].users.count } ?? 0) : 1
            offsets.append(offsets.last! + n)
        }
        self.offsets = offsets
        var fields = [planName, strategy]
        for b in batches { fields += [b.name, b.usersFingerprint.hex] }
        for t in templates { fields += [t.idPrefix, t.fingerprint.hex] + t.dependencies.map(\.description) }
        self.fingerprint = Fingerprint(fields: fields)
    }

    public var stepCount: Int { offsets.last! }

    /// The template owning step `index`, and the step's ordinal within it (the user's position in the batch).
    public func locate(_ index: Int) -> (template: Int, ordinal: Int) {
        var lo = 0
        var hi = templates.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if offsets[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (lo, index - offsets[lo])
    }

    /// The indices of a template's steps.
    public func steps(ofTemplate t: Int) -> Range<Int> { offsets[t]..<offsets[t + 1] }

    /// The readable, stable id of step `index`, e.g. `staff-2/import/alice`.
    public func stepID(_ index: Int) -> String {
        let (t, ordinal) = locate(index)
        let template = templates[t]
        guard template.fanout == .perUser, let b = template.batch else { return template.idPrefix }
        return template.idPrefix + "/" + users[batches[b].users.lowerBound + ordinal]
    }

    /// The user a per-user step acts for.
    public func user(ofStep index: Int) -> String? {
        let (t, ordinal) = locate(index)
        let template = templates[t]
        guard template.fanout == .perUser, let b = template.batch else { return nil }
        return users[batches[b].users.lowerBound + ordinal]
    }

    /// A step with its parameters expanded for its user, ready for a driver.
    public func step(_ index: Int) -> StepInstance {
        let (t, ordinal) = locate(index)
        let template = templates[t]
        let batch = template.batch.map { batches[$0] }
        let batchUsers = batch.map { users[$0.users] } ?? []
        var variables: [String: String] = [:]
        if let batch { variables["batch"] = batch.name }
        if let host = template.host { variables["host"] = hosts[host]?.address ?? host }
        var user: String?
        var fingerprint = template.fingerprint
        if template.fanout == .perUser, let batch {
            let u = users[batch.users.lowerBound + ordinal]
            user = u
            variables["user"] = u
            fingerprint = Fingerprint(fields: [template.fingerprint.hex, u])
        }
        var action = template.action.expanded { StepParameters.expand($0, variables) }
        if let mbox = action.sourceMailbox {
            action = action.expanded { StepParameters.expand($0, ["mbox": mbox]) }
        }
        return StepInstance(
            index: index, id: stepID(index), action: action, template: t, batch: batch?.name, user: user,
            users: template.fanout == .single ? batchUsers : [], host: template.host.flatMap { hosts[$0] },
            fingerprint: fingerprint, label: template.label, reversible: !template.kind.isIrreversible)
    }

    /// Step indices that `index` depends on directly (expanded from template dependencies).
    public func dependencies(of index: Int) -> [Int] {
        let (t, ordinal) = locate(index)
        var out: [Int] = []
        for d in templates[t].dependencies {
            switch d {
            case .all(let u): out += steps(ofTemplate: u)
            case .sameUser(let u): out.append(offsets[u] + ordinal)
            }
        }
        return out
    }

    /// Map from step id to index, built on demand (O(steps)); the journal uses it on resume.
    public func indexByID() -> [String: Int] {
        var map = [String: Int](minimumCapacity: stepCount)
        for i in 0..<stepCount { map[stepID(i)] = i }
        return map
    }
}

/// A batch: a named, contiguous range of `StepGraph.users`.
public struct BatchInfo: Sendable, Hashable {
    public var name: String
    public var users: Range<Int>
    /// Fingerprint of the batch's user list (batch-scope steps change when it does).
    public var usersFingerprint: Fingerprint
    /// Maximum failed per-user steps before the batch stops launching work (nil: no limit).
    public var maxFailures: Int?

    public init(name: String, users: Range<Int>, usersFingerprint: Fingerprint, maxFailures: Int? = nil) {
        self.name = name
        self.users = users
        self.usersFingerprint = usersFingerprint
        self.maxFailures = maxFailures
    }
}

/// One step per template (`single`) or one per user of the template's batch (`perUser`).
public enum Fanout: String, Sendable, Hashable, Codable { case single, perUser = "per_user" }

/// A dependency between templates.
public enum TemplateDependency: Sendable, Hashable, CustomStringConvertible {
    /// Wait for every step of that template.
    case all(Int)
    /// Wait for the step of that template acting for the same user.
    case sameUser(Int)

    public var description: String {
        switch self {
        case .all(let t): "all:\(t)"
        case .sameUser(let t): "same:\(t)"
        }
    }
}

/// A family of steps sharing kind and parameters (with `{user}` placeholders).
public struct StepTemplate: Sendable, Hashable {
    public var idPrefix: String
    public var action: StepAction
    public var batch: Int?
    public var fanout: Fanout
    /// Name of the host the step acts on (for `per_host` limits and remote execution).
    public var host: String?
    public var dependencies: [TemplateDependency]
    /// A short human description, e.g. "stop sendmail on legacy".
    public var label: String?
    /// Hash of kind, host, fanout, parameters and (batch scope) the batch's users.
    public var fingerprint: Fingerprint

    public init(
        idPrefix: String, action: StepAction, batch: Int? = nil, batchUsersFingerprint: Fingerprint? = nil,
        fanout: Fanout = .single, host: String? = nil, dependencies: [TemplateDependency] = [], label: String? = nil
    ) {
        self.idPrefix = idPrefix
        self.action = action
        self.batch = batch
        self.fanout = fanout
        self.host = host
        self.dependencies = dependencies
        self.label = label
        var fields = [action.kind.rawValue, host ?? "", fanout.rawValue]
        if fanout == .single, let f = batchUsersFingerprint { fields.append(f.hex) }
        self.fingerprint = Fingerprint(fields: fields + action.parameters.fingerprintFields)
    }

    public var kind: StepKind { action.kind }
    /// The flat rendering of the typed parameters, placeholders kept.
    public var parameters: StepParameters { action.parameters }
}

/// Limits and policies the executor applies (from the plan's `policy:`).
public struct RunPolicy: Sendable, Hashable, Codable {
    public var parallel: Int
    public var perHost: Int
    public var retryAttempts: Int
    /// First backoff, in seconds; doubles per attempt, with jitter.
    public var retryBackoff: Double
    /// Per-step timeout in seconds (0: none).
    public var stepTimeout: Double
    public var verify: VerifyMode
    public var retireSource: RetireMode

    public init(
        parallel: Int = 8, perHost: Int = 4, retryAttempts: Int = 3, retryBackoff: Double = 2, stepTimeout: Double = 0,
        verify: VerifyMode = .digest, retireSource: RetireMode = .keep
    ) {
        self.parallel = parallel
        self.perHost = perHost
        self.retryAttempts = retryAttempts
        self.retryBackoff = retryBackoff
        self.stepTimeout = stepTimeout
        self.verify = verify
        self.retireSource = retireSource
    }
}
