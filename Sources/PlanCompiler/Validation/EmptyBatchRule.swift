import Diagnostics
import PlanModel

/// A batch must have users: an empty one would run its batch steps (gates, directory and service
/// commands) for nobody. A `users_from` batch finds its users when the run starts, so it is not
/// empty here.
struct EmptyBatchRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        for (d, batch) in plan.batches.enumerated() where d < input.roster.origins.count {
            let origin = input.roster.origins[d]
            guard origin.range.isEmpty else { continue }
            switch batch.users {
            case .inline:
                diagnostics.append(.emptyBatch(batch.name.value, usersFile: nil, at: batch.name.range))
            // A file that was read is the origin's file; one that could not be read was reported.
            case .file(let path) where origin.file != plan.file:
                diagnostics.append(.emptyBatch(batch.name.value, usersFile: path.value, at: path.range))
            case .file, .directory, .missing:
                break
            }
        }
    }
}
