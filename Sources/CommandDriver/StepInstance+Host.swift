import Foundation
import Steps

extension StepInstance {
    /// The host the step acts on; a step without one acts on this machine.
    var targetHost: HostEndpoint {
        host ?? HostEndpoint(name: "local", address: "localhost", connect: .local)
    }

    /// A required list parameter, or a permanent failure naming the step and key.
    func requiredList(_ key: String) throws -> [String] {
        guard let list = parameters.list(key), !list.isEmpty else {
            throw StepError.permanent("step \(id): parameter `\(key)` is missing or empty", hint: "the compiler should have set it: re-run `mailshift validate`")
        }
        return list
    }

    /// A required text parameter, or a permanent failure naming the step and key.
    func requiredText(_ key: String) throws -> String {
        guard let text = parameters.text(key), !text.isEmpty else {
            throw StepError.permanent("step \(id): parameter `\(key)` is missing or empty", hint: "the compiler should have set it: re-run `mailshift validate`")
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
