import Foundation
import Steps

extension StepInstance {
    /// A list parameter that must not be empty, or a permanent failure naming the step and key.
    func nonEmpty(_ list: [String], _ key: String) throws -> [String] {
        guard !list.isEmpty else {
            throw StepRefusal(.missingParameter(key: key))
        }
        return list
    }

    /// A text parameter that must not be empty, or a permanent failure naming the step and key.
    func nonEmpty(_ text: String, _ key: String) throws -> String {
        guard !text.isEmpty else {
            throw StepRefusal(.missingParameter(key: key))
        }
        return text
    }
}

/// Refuses to act during a dry-run (the executor never calls `apply` then; this is the backstop).
func refuseDryRun(_ step: StepInstance, _ context: StepContext) throws {
    if context.dryRun {
        throw StepRefusal(.applyDuringDryRun)
    }
}
