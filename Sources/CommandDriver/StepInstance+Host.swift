import Foundation
import Steps

extension StepInstance {
    /// The host the step acts on; a step without one acts on this machine.
    var targetHost: HostEndpoint {
        host ?? HostEndpoint(name: "local", address: "localhost", connect: .local)
    }

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

    /// The users a batch-scope step acts for (or the one user of a per-user step).
    var actingUsers: [String] {
        if !users.isEmpty { return Array(users) }
        return user.map { [$0] } ?? []
    }
}

/// Refuses to act during a dry-run (the executor never calls `apply` then; this is the backstop).
func refuseDryRun(_ step: StepInstance, _ context: StepContext) throws {
    if context.dryRun {
        throw StepError.permanent("step \(step.id): apply called during a dry-run; nothing was changed")
    }
}
