import Diagnostics
import PlanModel

/// Paths on the hosts are absolute and never climb with `..`: they are used on remote machines,
/// where a relative path would depend on the login directory.
struct PathRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        func path(_ value: String?, _ what: String, at range: SourceRange?) {
            guard let value else { return }
            if !value.hasPrefix("/") {
                diagnostics.append(.relativePath(what, value, at: range))
            } else if value.split(separator: "/").contains("..") {
                diagnostics.append(.climbingPath(what, value, at: range))
            }
        }
        path(plan.source?.spool, "source.spool", at: plan.source?.spoolRange)
        path(plan.store?.path?.value, "store.path", at: plan.store?.path?.range)
        if let f = plan.forward {
            path(f.file, "forward.file", at: f.fileRange ?? f.range)
            path(f.saved?.value, "forward.saved", at: f.saved?.range)
        }
        path(plan.policy.archiveDir?.value, "policy.archive_dir", at: plan.policy.archiveDir?.range)
        path(plan.services.hold?.spoolDir?.value, "services.hold.spool_dir", at: plan.services.hold?.spoolDir?.range)
    }
}
