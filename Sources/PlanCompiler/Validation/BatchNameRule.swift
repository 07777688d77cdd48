import Diagnostics
import PlanModel

/// Batch names (and the sub-batch names chunks make) are portable, unique, and not `global`.
struct BatchNameRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        var first: [String: SourceRange] = [:]
        for b in input.plan.batches {
            let name = b.name
            if name.value == "global" {
                diagnostics.append(.badBatchName(name.value, reason: "is reserved for plan-wide steps", at: name.range))
            } else if !PortableName.isPortable(name.value) {
                diagnostics.append(.badBatchName(name.value, reason: "is not a portable name", at: name.range))
            }
            if let f = first[name.value] {
                diagnostics.append(.duplicateBatch(name.value, at: name.range, first: f))
            } else {
                first[name.value] = name.range
            }
        }
        // A chunk's generated name must not shadow a declared batch (`staff` chunked vs `staff-1`).
        for rb in input.roster.batches where rb.chunk != nil {
            if let f = first[rb.name] {
                let spec = input.plan.batches[rb.declared]
                diagnostics.append(.chunkNameTaken(rb.name, chunked: spec.name.value, at: f, chunk: spec.chunk?.range ?? spec.name.range))
            }
        }
    }
}
