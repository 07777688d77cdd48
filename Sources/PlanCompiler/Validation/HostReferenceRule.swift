import Diagnostics
import PlanModel

/// Every host a section names exists and has the role that use needs.
struct HostReferenceRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard plan.hostsDecoded else { return }  // the decoder already said what is wrong with `hosts:`
        let known = plan.hosts.map(\.name.value)
        func ref(_ name: Located<String>?, _ use: String, role: HostRole?) {
            guard let name else { return }
            guard let host = plan.host(named: name.value) else {
                diagnostics.append(.unknownHost(name.value, usedAs: use, known: known, at: name.range))
                return
            }
            if let role, !host.has(role) {
                diagnostics.append(.hostLacksRole(name.value, role: role.rawValue, usedAs: use, at: name.range, hostRange: host.name.range))
            }
        }
        let s = plan.services
        ref(plan.source?.host, "the source", role: .legacy)
        ref(plan.store?.host, "the store", role: .store)
        ref(s.legacyMTA?.host, "services.legacy_mta", role: .legacy)
        ref(s.storeServer?.host, "services.store_server", role: .store)
        ref(s.proxyServer?.host, "services.proxy_server", role: .proxy)
        ref(s.dirsync?.host, "services.dirsync", role: nil)
        ref(s.proxySetup?.host, "services.proxy_setup", role: .proxy)
        ref(s.deluser?.host, "services.deluser", role: nil)
        ref(s.hold?.host, "services.hold", role: nil)
        ref(s.choke?.host, "services.choke", role: nil)
        ref(s.workingCheck?.host, "services.working_check", role: nil)

        if let store = plan.store, store.host == nil {
            let candidates = plan.hosts.filter { $0.has(.store) }.map(\.name.value)
            if candidates.count != 1 { diagnostics.append(.noStoreHost(candidates: candidates, at: store.range)) }
        }
    }
}
