import Diagnostics
import YAMLSource

extension PlanDecoder {
    /// The whole plan: each section decoded independently so every problem is found.
    mutating func plan(_ root: YAMLNode) -> Plan? {
        var plan = Plan(file: file, range: range(root))
        guard
            let f = fields(
                root, "the plan", allowed: PlanKeys.plan,
                required: ["version", "name", "strategy", "hosts", "directory", "source", "store", "batches"])
        else { return nil }
        if let node = f["version"] {
            if let v = int(node, "'version'") {
                if v == 1 { plan.version = 1 } else { report(.planVersion(String(v), at: range(node))) }
            }
        }
        plan.name = locatedString(f["name"], "'name'")
        if let node = f["strategy"], let s = enumValue(node, "'strategy'", as: Strategy.self) {
            plan.strategy = Located(s, at: range(node))
        }
        _ = string(f["description"], "'description'")
        if let node = f["hosts"] {
            plan.hosts = hosts(node)
            plan.hostsDecoded = node.kind == .mapping
        }
        if let node = f["directory"] { plan.directory = directory(node) }
        if let node = f["source"] { plan.source = source(node) }
        if let node = f["store"] { plan.store = store(node) }
        if let node = f["services"] { plan.services = services(node) }
        if let node = f["forward"] { plan.forward = forward(node) }
        if let node = f["batches"] { plan.batches = batches(node) }
        if let node = f["policy"] { plan.policy = policy(node) }
        return plan
    }

    mutating func hosts(_ node: YAMLNode) -> [HostSpec] {
        guard node.kind == .mapping else {
            report(.planWrongType("'hosts'", expected: "a mapping of host names to hosts", found: node.kindDescription, at: range(node)))
            return []
        }
        var out: [HostSpec] = []
        for (key, value) in entries(node) where key.kind == .scalar {
            ownerKeys[value.identity] = range(key)
            let context = "host '\(key.value)'"
                        guard let f = fields(value, context, allowed: PlanKeys.host, required: ["address"]) else { continue }
            var host = HostSpec(name: Located(key.value, at: range(key)), address: string(f["address"], "'address' of \(context)") ?? "", range: range(value))
            host.mailHost = string(f["mail_host"], "'mail_host' of \(context)")
            host.connect = enumValue(f["connect"], "'connect' of \(context)", as: HostSpec.Connect.self) ?? .ssh
            host.user = string(f["user"], "'user' of \(context)")
            host.port = int(f["port"], "'port' of \(context)", min: 1)
            host.identityFile = string(f["identity_file"], "'identity_file' of \(context)")
            host.sshOptions = stringList(f["ssh_options"], "'ssh_options' of \(context)") ?? []
            // The items `stringList` kept: scalars that are not null.
            if let list = f["ssh_options"], list.kind == .sequence {
                host.sshOptionRanges = list.children.filter { $0.kind == .scalar && !$0.isNull }.map(range)
            }
            if let roles = f["roles"] {
                if roles.kind == .sequence {
                    for r in roles.children {
                        if let role = enumValue(r, "each role of \(context)", as: HostRole.self) {
                            host.roles.append(Located(role, at: range(r)))
                        }
                    }
                } else {
                    report(.planWrongType("'roles' of \(context)", expected: "a list of roles", found: roles.kindDescription, at: range(roles),
                        hint: "write roles: [legacy], [store] or [legacy, proxy]"))
                }
            }
            out.append(host)
        }
        return out
    }

    mutating func forward(_ node: YAMLNode) -> ForwardSpec? {
        guard let f = fields(node, "'forward'", allowed: PlanKeys.forward) else { return nil }
        var spec = ForwardSpec(range: range(node))
        spec.written = Set(f.keys)
        if let s = locatedString(f["file"], "'forward.file'") {
            spec.file = s.value
            spec.fileRange = s.range
        }
        spec.saved = locatedString(f["saved"], "'forward.saved'")
        spec.keepLocal = bool(f["keep_local"], "'forward.keep_local'") ?? false
        spec.owner = enumValue(f["owner"], "'forward.owner'", as: ForwardSpec.Owner.self) ?? .user
        return spec
    }
}
