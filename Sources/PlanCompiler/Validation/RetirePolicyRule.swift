import Diagnostics
import PlanModel

/// Retiring sources by archiving needs somewhere to archive to; deleting them on the strength of a
/// message count alone deserves a warning.
struct RetirePolicyRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let policy = input.plan.policy
        if policy.retireSource == .archive, policy.archiveDir == nil {
            diagnostics.append(.archiveDirNeeded(at: policy.range))
        }
        if policy.retireSource == .delete, policy.verify == .count {
            diagnostics.append(.deleteAfterCountOnly(at: policy.range))
        }
    }
}
