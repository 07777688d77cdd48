import Diagnostics
import PlanModel

/// Retiring sources by archiving needs somewhere to archive to.
struct RetirePolicyRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let policy = input.plan.policy
        if policy.retireSource == .archive, policy.archiveDir == nil {
            diagnostics.append(.archiveDirNeeded(at: policy.range))
        }
    }
}
