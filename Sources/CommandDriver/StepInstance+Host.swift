import Foundation
import Steps

extension StepInstance {
    /// A list parameter that must not be empty, or a permanent failure naming the step and key.
    func nonEmpty(_ list: [String], _ key: String) throws -> [String] {
        guard !list.isEmpty else {
            throw StepError.permanent("step \(id): parameter `\(key)` is empty", hint: "set it in the plan; `mailshift check PLAN` shows where")
        }
        return list
    }

    /// A text parameter that must not be empty, or a permanent failure naming the step and key.
    func nonEmpty(_ text: String, _ key: String) throws -> String {
        guard !text.isEmpty else {
            throw StepError.permanent("step \(id): parameter `\(key)` is empty", hint: "set it in the plan; `mailshift check PLAN` shows where")
        }
        return text
    }
}

/// Refuses to act during a dry-run (the executor never calls `apply` then; this is the backstop).
func refuseDryRun(_ step: StepInstance, _ context: StepContext) throws {
    if context.dryRun {
        throw StepError.permanent("step \(step.id): apply called during a dry-run; nothing was changed")
    }
}
