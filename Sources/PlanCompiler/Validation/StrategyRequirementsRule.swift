import Diagnostics
import PlanModel

/// Each strategy's procedure (DESIGN.md section 2) needs certain services and settings.
struct StrategyRequirementsRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard let strategy = plan.strategy else { return }
        let s = plan.services
        let at = strategy.range
        let name = strategy.value.rawValue
        func need(_ what: String, _ why: String, at range: SourceRange? = nil) {
            diagnostics.append(.strategyNeeds(name, what, why: why, at: range ?? at))
        }

        // A key that was written but failed to decode has its own error already.
        if s.storeServer?.written.contains("start") != true {
            need("'services.store_server' with a 'start' command", "the procedure starts the new store server; add store_server: { host: ..., start: [...] }",
                at: s.storeServer?.range)
        }
        switch strategy.value {
        case .simple, .proxy:
            if s.legacyMTA?.written.contains("stop") != true {
                need("'services.legacy_mta' with a 'stop' command", "the procedure stops sendmail on the legacy host; add legacy_mta: { host: ..., stop: [...], running: [...] }",
                    at: s.legacyMTA?.range)
            }
        case .forward, .choke:
            break
        }
        switch strategy.value {
        case .simple:
            break
        case .forward:
            if plan.forward?.written.contains("saved") != true {
                need("'forward.saved', where mail arriving during the move is saved", "add forward: { saved: /var/mail.saved/{user} }",
                    at: plan.forward?.range)
            }
        case .choke:
            if s.choke == nil {
                need("'services.choke' with 'hold' and 'release' commands", "add choke: { host: ..., hold: [...], release: [...] } under services:")
            }
        case .proxy:
            if s.proxySetup == nil {
                need("'services.proxy_setup', the command that makes the legacy host a proxy", "add proxy_setup: { host: ..., run: [...] } under services:")
            }
            if plan.hostsDecoded, !plan.hosts.contains(where: { $0.has(.proxy) }) {
                need("a host with the role 'proxy'", "add 'proxy' to the roles of the legacy host (it becomes the proxy)")
            }
            if let hold = s.hold {
                if !hold.written.contains("slave") {
                    need("'services.hold.slave', the command that holds delivery", "add slave: [hold_slave] under services.hold", at: hold.range)
                }
                if hold.written.isDisjoint(with: ["master", "spool_dir"]) {
                    need("'services.hold.master' or 'services.hold.spool_dir' to release held mail",
                        "add master: [hold_master], or spool_dir: /var/spool/hold/{user} for mailshift to release it", at: hold.range)
                }
            } else {
                need("'services.hold' (the hold_slave and hold_master commands)", "add hold: { host: ..., slave: [hold_slave], master: [hold_master] } under services:")
            }
        }
    }
}
