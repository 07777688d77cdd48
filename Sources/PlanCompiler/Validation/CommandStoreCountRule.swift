import Diagnostics
import PlanModel

/// A command store's imports and verifies work from its message count (`count`): verify compares
/// the count before and after each import, and a resumed import knows from it what is done.
struct CommandStoreCountRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        // A `count` that did not decode was reported already.
        guard let store = input.plan.store, store.kind == .command, !store.written.contains("count") else { return }
        diagnostics.append(.commandStoreNeedsCount(at: store.kindRange ?? store.range))
    }
}
