import Diagnostics
import PlanModel

/// A command store cannot be verified by digest: its verify only counts messages, and a step
/// labelled "digest" would promise what was never checked (and source.retire would rely on it).
struct VerifyModeRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let policy = input.plan.policy
        guard let store = input.plan.store, store.kind == .command, policy.verify == .digest else { return }
        // A verify that did not decode was reported; its fallback is no choice.
        if policy.written.contains("verify"), policy.verifyRange == nil { return }
        diagnostics.append(.digestWithCommandStore(written: policy.verifyRange != nil, at: policy.verifyRange ?? store.kindRange ?? store.range))
    }
}
