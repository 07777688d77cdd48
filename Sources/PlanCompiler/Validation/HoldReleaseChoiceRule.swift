import Diagnostics
import PlanModel

/// Held mail is released either by `services.hold.master` or by mailshift from `spool_dir`;
/// lowering takes `master` when both are given, so `spool_dir` is then never read.
struct HoldReleaseChoiceRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        guard input.plan.strategy?.value == .proxy, let hold = input.plan.services.hold, let master = hold.master,
            let spool = hold.spoolDir
        else { return }
        diagnostics.append(.holdSpoolIgnored(at: spool.range, master: master.range))
    }
}
