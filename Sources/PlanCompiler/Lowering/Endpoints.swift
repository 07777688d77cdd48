import PlanModel
import Steps

/// Maps the plan's hosts, directory and policy onto the endpoint types drivers receive.
enum Endpoints {
    static func hosts(_ plan: Plan) -> [String: HostEndpoint] {
        var out: [String: HostEndpoint] = [:]
        for h in plan.hosts {
            out[h.name.value] = HostEndpoint(
                name: h.name.value, address: h.address, connect: h.connect == .local ? .local : .ssh, user: h.user, port: h.port,
                identityFile: h.identityFile, sshOptions: h.sshOptions, roles: h.roles.map(\.value.rawValue))
        }
        return out
    }

    static func directory(_ d: DirectorySpec) -> DirectoryEndpoint {
        let password: SecretReference? =
            switch d.password {
            case .environment(let name)?: .environment(name)
            case .file(let path)?: .file(path)
            case nil: nil
            }
        var endpoint = DirectoryEndpoint(
            url: d.url, startTLS: d.startTLS, tlsVerify: d.tlsVerify, caFile: d.caFile, bindDN: d.bindDN, password: password,
            base: d.base, userFilter: d.userFilter, attributes: d.resolvedAttributes, objectClasses: d.objectClasses,
            connectTimeout: d.connectTimeout, operationTimeout: d.operationTimeout, window: d.window)
        if !d.replicas.isEmpty {
            endpoint.replicas = d.replicas
            endpoint.replicaTimeout = d.replicaTimeout
        }
        return endpoint
    }

    static func policy(_ p: PolicySpec) -> RunPolicy {
        RunPolicy(
            parallel: p.parallel, perHost: p.perHost, retryAttempts: p.retryAttempts, retryBackoff: p.retryBackoff,
            stepTimeout: p.stepTimeout, verify: VerifyMode(p.verify), retireSource: RetireMode(p.retireSource))
    }
}
