import Diagnostics
import PlanModel

/// `services.working_check` guards a batch's irreversible steps (retire, deluser); in a plan with
/// neither it would never run, which is worth a warning. `services.deluser` itself runs in any
/// plan (also with `retire_source: keep`: the account goes, the spool file stays on disk).
struct WorkingCheckRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard let check = plan.services.workingCheck else { return }
        let policy = plan.policy
        // A retire_source that did not decode was reported; its fallback 'keep' is no choice.
        let undecoded = policy.written.contains("retire_source") && policy.retireSourceRange == nil
        if policy.retireSource == .keep, !undecoded, plan.services.deluser == nil {
            diagnostics.append(.workingCheckNeverRuns(at: check.range))
        }
    }
}
