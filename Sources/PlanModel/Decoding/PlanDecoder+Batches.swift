import Diagnostics
import YAMLSource

extension PlanDecoder {
    mutating func batches(_ node: YAMLNode) -> [BatchSpec] {
        guard node.kind == .sequence else {
            report(.planWrongType("'batches'", expected: "a list of batches", found: node.kindDescription, at: range(node),
                hint: "write one '- name: ...' entry per batch"))
            return []
        }
        var out: [BatchSpec] = []
        out.reserveCapacity(node.children.count)
        for (i, item) in node.children.enumerated() {
            if let b = batch(item, position: i + 1) { out.append(b) }
        }
        return out
    }

    private mutating func batch(_ node: YAMLNode, position: Int) -> BatchSpec? {
        let provisional = "batch \(position)"
        guard let f = fields(node, provisional, allowed: PlanKeys.batch, required: ["name"]),
            let name = locatedString(f["name"], "the name of \(provisional)")
        else { return nil }
        let context = "batch '\(name.value)'"
        var b = BatchSpec(name: name, range: range(node))
        let given = ["users", "users_file", "users_from"].filter { f[$0] != nil }
        if given.count != 1 {
            report(.planUserSourceCount(name.value, found: given, at: SourceRange(file: file, start: node.start)))
        }
        if let users = f["users"] {
            b.users = inlineUsers(users, context)
        } else if let path = f["users_file"] {
            if let p = locatedString(path, "'users_file' of \(context)") { b.users = .file(p) }
        } else if let from = f["users_from"], let ff = fields(from, "'users_from' of \(context)", allowed: PlanKeys.usersFrom, required: ["filter"]) {
            if let filter = locatedString(ff["filter"], "'users_from.filter' of \(context)") { b.users = .directory(filter: filter) }
        }
        if let c = f["chunk"], let n = int(c, "'chunk' of \(context)", min: 1) { b.chunk = Located(n, at: range(c)) }
        if let after = f["after"] {
            if after.kind == .scalar, !after.isNull {
                b.after = [Located(after.value, at: range(after))]
            } else if after.kind == .sequence {
                for a in after.children {
                    if let s = locatedString(a, "each batch named in 'after' of \(context)") { b.after.append(s) }
                }
            } else {
                report(.planWrongType("'after' of \(context)", expected: "a batch name or a list of them", found: after.kindDescription, at: range(after)))
            }
        }
        b.approve = bool(f["approve"], "'approve' of \(context)") ?? false
        if let node = f["precopy"] { b.precopyPasses = precopy(node, "'precopy' of \(context)") }
        if let g = f["groups"] {
            if g.kind == .sequence {
                for item in g.children {
                    if let s = locatedString(item, "each group of \(context)") { b.groups.append(s) }
                }
            } else {
                report(.planWrongType("'groups' of \(context)", expected: "a list of group names", found: g.kindDescription, at: range(g)))
            }
        }
        b.groupsFile = locatedString(f["groups_file"], "'groups_file' of \(context)")
        return b
    }

    /// The hot path for large inline plans: no per-user message strings unless a user is wrong.
    private mutating func inlineUsers(_ node: YAMLNode, _ context: String) -> UserSource {
        guard node.kind == .sequence else {
            report(.planWrongType("'users' of \(context)", expected: "a list of user names", found: node.kindDescription, at: range(node),
                hint: "write users: [alice, bob], or use users_file for long lists"))
            return .missing
        }
        var names: [String] = []
        var locations: [SourceLocation] = []
        names.reserveCapacity(node.children.count)
        locations.reserveCapacity(node.children.count)
        for item in node.children {
            if item.kind == .scalar, !item.isNull {
                names.append(item.value)
                locations.append(item.start)
            } else {
                report(.planWrongType("each user of \(context)", expected: "a user name", found: item.kindDescription, at: range(item)))
            }
        }
        return .inline(names: names, locations: locations)
    }

    mutating func policy(_ node: YAMLNode) -> PolicySpec {
        var p = PolicySpec()
        p.range = range(node)
        guard let f = fields(node, "'policy'", allowed: PlanKeys.policy) else { return p }
        p.written = Set(f.keys)
        p.parallel = int(f["parallel"], "'policy.parallel'", min: 1) ?? p.parallel
        p.perHost = int(f["per_host"], "'policy.per_host'", min: 1) ?? p.perHost
        if let r = f["retries"], let rf = fields(r, "'policy.retries'", allowed: PlanKeys.retries) {
            p.retryAttempts = int(rf["attempts"], "'policy.retries.attempts'", min: 1) ?? p.retryAttempts
            p.retryBackoff = duration(rf["backoff"], "'policy.retries.backoff'") ?? p.retryBackoff
        }
        p.stepTimeout = duration(f["step_timeout"], "'policy.step_timeout'") ?? 0
        if let m = f["max_failures"] { p.maxFailures = maxFailures(m) }
        if let v = enumValue(f["verify"], "'policy.verify'", as: PolicySpec.Verify.self) {
            p.verify = v
            p.verifyRange = f["verify"].map(range)
        }
        if let r = enumValue(f["retire_source"], "'policy.retire_source'", as: PolicySpec.Retire.self) {
            p.retireSource = r
            p.retireSourceRange = f["retire_source"].map(range)
        }
        p.archiveDir = locatedString(f["archive_dir"], "'policy.archive_dir'")
        p.autoApprove = bool(f["auto_approve"], "'policy.auto_approve'") ?? false
        p.confirmBeforeRetire = bool(f["confirm_before_retire"], "'policy.confirm_before_retire'") ?? true
        if let node = f["precopy"] { p.precopyPasses = precopy(node, "'policy.precopy'") ?? 0 }
        return p
    }

    /// `30s`, `500ms`, `2m`, `1h`, or a plain number of seconds.
    mutating func duration(_ node: YAMLNode?, _ what: String) -> Double? {
        guard let node, let s = string(node, what) else { return nil }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            if let n = Double(s.dropLast(suffix.count)), n >= 0 { return n * scale }
        }
        if let n = Double(s), n >= 0 { return n }
        report(.planWrongType(what, expected: "a duration like 500ms, 2s, 5m or 1h", found: "'\(s)'", at: range(node)))
        return nil
    }

    private mutating func maxFailures(_ node: YAMLNode) -> PolicySpec.MaxFailures? {
        guard let s = string(node, "'policy.max_failures'") else { return nil }
        if s.hasSuffix("%"), let p = Double(s.dropLast()), p >= 0, p <= 100 { return .percent(p) }
        if let n = Int(s), n >= 0 { return .count(n) }
        report(.planWrongType("'policy.max_failures'", expected: "a count (5) or a percentage of the batch (5%)", found: "'\(s)'", at: range(node)))
        return nil
    }
}
