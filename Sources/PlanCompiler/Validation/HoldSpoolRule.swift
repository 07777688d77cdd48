import Diagnostics
import PlanModel

/// mailshift releases a hold spool (`services.hold.spool_dir`, used when there is no `master`)
/// into a Maildir only on this machine: the hold.release driver refuses a spool reached by ssh
/// unless the store is a command store, whose import command runs on that host.
struct HoldSpoolRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard plan.strategy?.value == .proxy, let hold = plan.services.hold, hold.master == nil, !hold.written.contains("master"),
            let spool = hold.spoolDir, let name = hold.host, let host = plan.host(named: name.value), host.connect == .ssh,
            let store = plan.store, store.kind == .maildir
        else { return }
        diagnostics.append(.remoteHoldSpool(name.value, at: spool.range, hostRange: host.name.range))
    }
}
