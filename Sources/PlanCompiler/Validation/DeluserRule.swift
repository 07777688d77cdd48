import Diagnostics
import PlanModel

/// `services.deluser` is honoured only as lowering uses it: its `run` follows each source.retire,
/// which exists only when sources are archived or deleted, and which runs on the source host;
/// its `check` and `timeout` are never passed on.
struct DeluserRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard let deluser = plan.services.deluser else { return }
        let policy = plan.policy
        // A retire_source that did not decode was reported; its fallback 'keep' is no choice.
        let undecoded = policy.written.contains("retire_source") && policy.retireSourceRange == nil
        if policy.retireSource == .keep, !undecoded {
            diagnostics.append(.deluserNeverRuns(retireWritten: policy.retireSourceRange, at: deluser.range))
        }
        // An unknown host was reported by HostReferenceRule, with a suggestion.
        if let host = deluser.host, let source = plan.source?.host, host.value != source.value, plan.host(named: host.value) != nil {
            diagnostics.append(.deluserHostNotHonoured(host.value, source: source.value, at: host.range))
        }
        // source.retire takes only deluser's argv (SourceRetireParameters.argv); with 'keep' the
        // whole section was just reported.
        guard policy.retireSource != .keep else { return }
        if let check = deluser.check { diagnostics.append(.deluserKeyIgnored("check", at: check.range)) }
        if deluser.timeout != nil { diagnostics.append(.deluserKeyIgnored("timeout", at: deluser.range)) }
    }
}
