import Diagnostics
import PlanModel

/// Every batch named in `after` exists (and is not the batch itself).
struct AfterReferenceRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let known = input.plan.batches.map(\.name.value)
        for b in input.plan.batches {
            for a in b.after where !known.contains(a.value) {
                diagnostics.append(.unknownBatch(a.value, known: known.filter { $0 != b.name.value }, at: a.range))
            }
        }
    }
}
