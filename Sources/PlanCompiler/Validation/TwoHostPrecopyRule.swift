import Diagnostics
import PlanModel

/// A pre-copy reads the spool and writes the store in one process (its ledger and the window's
/// reconcile work on both at once), so it cannot run over the two-host path, where each side is
/// an agent on its own machine. Refused here, where the plan says so, not at the first window.
struct TwoHostPrecopyRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard let sourceName = plan.source?.host?.value, let source = plan.host(named: sourceName) else { return }
        guard let storeName = plan.store?.host?.value ?? plan.hosts.first(where: { $0.has(.store) })?.name.value,
            let store = plan.host(named: storeName), storeName != sourceName,
            !(source.connect == .local && store.connect == .local)
        else { return }
        if plan.policy.precopyPasses > 0 { diagnostics.append(.precopyOverTwoHosts(source: sourceName, store: storeName, at: plan.policy.range)) }
        for b in plan.batches where (b.precopyPasses ?? 0) > 0 {
            diagnostics.append(.precopyOverTwoHosts(source: sourceName, store: storeName, at: b.range))
        }
    }
}

extension Diagnostic {
    static func precopyOverTwoHosts(source: String, store: String, at range: SourceRange?) -> Diagnostic {
        .error("compiler.precopy-two-hosts", "'precopy' needs the spool and the store on one machine, but the source is on '\(source)' and the store on '\(store)'", at: range,
            hint: "turn precopy off for this plan (the two-host import moves only what is missing on a resume), or run mailshift where both are mounted with connect: local")
    }
}
