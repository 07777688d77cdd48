import Diagnostics
import YAMLSource

extension PlanDecoder {
    mutating func directory(_ node: YAMLNode) -> DirectorySpec? {
        guard let f = fields(node, "'directory'", allowed: PlanKeys.directory, required: ["url", "base"]) else { return nil }
        var d = DirectorySpec(range: range(node))
        d.url = string(f["url"], "'directory.url'") ?? ""
        d.startTLS = bool(f["starttls"], "'directory.starttls'") ?? false
        d.tlsVerify = bool(f["tls_verify"], "'directory.tls_verify'") ?? true
        d.caFile = string(f["ca_file"], "'directory.ca_file'")
        d.bindDN = string(f["bind_dn"], "'directory.bind_dn'")
        if let p = f["password"] { d.password = secret(p, "the directory password") }
        d.base = string(f["base"], "'directory.base'") ?? ""
        if let s = string(f["user_filter"], "'directory.user_filter'") { d.userFilter = s }
        d.profile = enumValue(f["profile"], "'directory.profile'", as: DirectoryProfile.self) ?? .sims
        if let a = f["attributes"], let af = fields(a, "'directory.attributes'", allowed: PlanKeys.directoryAttributes) {
            for (k, v) in af {
                if let s = string(v, "'directory.attributes.\(k)'") { d.attributes[k] = s }
            }
        }
        d.objectClasses = stringList(f["object_classes"], "'directory.object_classes'") ?? []
        if let s = string(f["group_filter"], "'directory.group_filter'") { d.groupFilter = s }
        d.groupBase = string(f["group_base"], "'directory.group_base'")
        if let c = f["create"] { d.create = createTemplate(c) }
        d.replicas = stringList(f["replicas"], "'directory.replicas'") ?? []
        d.replicaTimeout = int(f["replica_timeout"], "'directory.replica_timeout'", min: 1) ?? 60
        d.connectTimeout = int(f["connect_timeout"], "'directory.connect_timeout'", min: 1) ?? 10
        d.operationTimeout = int(f["operation_timeout"], "'directory.operation_timeout'", min: 1) ?? 30
        d.window = int(f["window"], "'directory.window'", min: 1) ?? 64
        return d
    }

    /// `{ env: NAME }` or `{ file: PATH }`; a scalar is a literal secret and is refused.
    mutating func secret(_ node: YAMLNode, _ what: String) -> SecretSpec? {
        if node.kind == .scalar {
            if !node.isNull { report(.planLiteralSecret(what, at: range(node))) }
            return nil
        }
        guard let f = fields(node, what, allowed: PlanKeys.secret) else { return nil }
        switch (f["env"], f["file"]) {
        case (let e?, nil): return string(e, "'env' of \(what)").map(SecretSpec.environment)
        case (nil, let p?): return string(p, "'file' of \(what)").map(SecretSpec.file)
        default:
            report(.planSecretShape(what, at: range(node)))
            return nil
        }
    }
}
