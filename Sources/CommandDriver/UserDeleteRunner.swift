import Foundation
import Steps

/// `user.delete`: the plan's `services.deluser` command for one user, on its own host, after the
/// batch's working-system gate. Irreversible, so it refuses unless that user's verify passed (as
/// journaled), and a preview shows the exact command it would run.
///
/// With a `check` (exit 0 = already deleted) a re-run after an interruption is a no-op; without
/// one the journal is what keeps it from running twice.
public struct UserDeleteRunner: StepRunner {
    public let transport: any CommandTransport

    public init(transport: any CommandTransport) { self.transport = transport }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let p = try step.parameters(UserDeleteParameters.self)
        let argv = try step.nonEmpty(p.argv, "argv")
        let host = step.targetHost
        let change = PlannedChange(.irreversible, "run on \(host.name): `\(CommandFailure.render(argv))` (deletes the user; cannot be undone)")
        guard let check = p.check, !check.isEmpty else { return .pending([change]) }
        let outcome = try await transport.run(check, on: host, stdin: nil, timeout: Double(p.timeout ?? 300))
        return outcome.status == 0 ? .done("the check says the user is already deleted") : .pending([change])
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        try refuseDryRun(step, context)
        let p = try step.parameters(UserDeleteParameters.self)
        let argv = try step.nonEmpty(p.argv, "argv")
        guard let verified = context.outputs(of: p.verifyStep.id)?.decode(MailboxVerifyOutputs.self), verified.passed else {
            throw StepRefusal(.notVerified(verifyStep: p.verifyStep.id, action: "delete the user"))
        }
        let host = step.targetHost
        let timeout = Double(p.timeout ?? 300)
        if let check = p.check, !check.isEmpty, try await transport.run(check, on: host, stdin: nil, timeout: timeout).status == 0 {
            return ["exit_status": "already", "host": host.name]
        }
        _ = try await transport.runSucceeding(argv, on: host, timeout: timeout)
        return ["exit_status": "0", "host": host.name]
    }
}
