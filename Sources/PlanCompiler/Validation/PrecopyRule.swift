import Diagnostics
import PlanModel

/// A pre-copy works from what the store holds, message by message: a command store's import
/// cannot tell what it already stored, so pre-copying into one would store every message twice.
struct PrecopyRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard let store = plan.store, store.kind == .command else { return }
        if plan.policy.precopyPasses > 0 { diagnostics.append(.precopyNeedsMaildir(at: plan.policy.range)) }
        for b in plan.batches where (b.precopyPasses ?? 0) > 0 { diagnostics.append(.precopyNeedsMaildir(at: b.range)) }
    }
}

extension Diagnostic {
    static func precopyNeedsMaildir(at range: SourceRange?) -> Diagnostic {
        .error("compiler.precopy-store", "'precopy' needs 'store.kind: maildir'", at: range,
            hint: "a command store cannot say which messages it holds; turn precopy off for this plan")
    }
}
