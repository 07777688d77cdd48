import Foundation
import Steps

/// `command`: run the plan's argv on a host once, or once per user of the batch (`per_user`, with
/// `{user}` expanded per argument). An optional `check` argv (exit 0 = already done) makes it
/// idempotent; without one the executor's journal is what prevents a second run, and a dry-run
/// lists the command once, as unknown.
///
/// Per-user progress is checkpointed after each user, so a resumed step skips users already done.
/// Outputs: `exit_status` and a bounded `stdout_tail` (one run), or `status.<user>` per user.
public struct CommandStepRunner: StepRunner {
    public let transport: any CommandTransport
    /// Bytes of stdout kept in the outputs (the journal stays small).
    public var outputTail = 512

    public init(transport: any CommandTransport) { self.transport = transport }

    private struct Invocation {
        var user: String?
        var argv: [String]
        var check: [String]?
    }

    private func invocations(_ step: StepInstance) throws -> [Invocation] {
        let p = try step.parameters(CommandParameters.self)
        let argv = try step.nonEmpty(p.argv, "argv")
        let check = p.check.flatMap { $0.isEmpty ? nil : $0 }
        guard p.perUser else { return [Invocation(user: nil, argv: argv, check: check)] }
        return step.actingUsers.map { user in
            let vars = ["user": user]
            return Invocation(
                user: user, argv: argv.map { StepParameters.expand($0, vars) },
                check: check?.map { StepParameters.expand($0, vars) })
        }
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let host = step.targetHost
        let timeout = Double(try step.parameters(CommandParameters.self).timeout ?? 300)
        var pending: [PlannedChange] = []
        var unknown = 0
        for inv in try invocations(step) {
            if let user = inv.user, context.previousOutputs?["status.\(user)"] != nil { continue }
            let change = PlannedChange(.run, "run on \(host.name): `\(CommandFailure.render(inv.argv))`")
            guard let check = inv.check else {
                unknown += 1
                pending.append(change)
                continue
            }
            if try await transport.run(check, on: host, stdin: nil, timeout: timeout).status != 0 { pending.append(change) }
        }
        if pending.isEmpty { return .done("the check says it is done") }
        if unknown > 0 {
            // The commands are the changes listed; the reason says only why it is unknown.
            return .unknown(unknown == 1 ? "no check: it cannot tell whether it already ran" : "\(unknown) commands have no check", changes: pending)
        }
        return .pending(pending)
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        try refuseDryRun(step, context)
        let host = step.targetHost
        let p = try step.parameters(CommandParameters.self)
        let timeout = Double(p.timeout ?? 300)
        let perUser = p.perUser
        var outputs = context.previousOutputs ?? StepOutputs()
        // A per-user command that exits non-zero for one user sets that user aside; the others go on.
        var refused: [(user: String, failure: any StepFailure)] = []
        for inv in try invocations(step) {
            let key = inv.user.map { "status.\($0)" } ?? "exit_status"
            if inv.user != nil, outputs[key] != nil { continue }
            if let check = inv.check, try await transport.run(check, on: host, stdin: nil, timeout: timeout).status == 0 {
                outputs[key] = "already"
            } else {
                let outcome = try await transport.run(inv.argv, on: host, stdin: nil, timeout: timeout)
                guard outcome.status == 0 else {
                    let failure = CommandFailure.exited(inv.argv, outcome, on: host.name)
                    guard let user = inv.user else { throw failure }
                    context.log("\(user): \(failure.summary)")
                    refused.append((user, failure))
                    continue
                }
                outputs[key] = "0"
                if !perUser { outputs["stdout_tail"] = outcome.stdout.tailText(outputTail) }
            }
            if let user = inv.user { try await context.checkpoint([key: outputs[key] ?? "0", "last_user": user]) }
        }
        if !refused.isEmpty { throw UsersSetAside(failures: refused) }
        return outputs
    }
}
