import Diagnostics
import Foundation
import Steps

/// `working.check`: the gate before a batch's irreversible steps, decided by the plan's command
/// instead of a person. It runs the command on its host; with a period, again every `interval`
/// seconds until a run that started after the period has passed. Every run must exit 0: one failure fails the step
/// (permanently, so retire and deluser stay blocked; a resume runs the check afresh).
///
/// A preview never runs it (the command may deliver a test message): it lists what would run.
public struct WorkingCheckRunner: StepRunner {
    public let transport: any CommandTransport
    /// Waits between runs (tests pass a recorder instead of sleeping).
    let pause: @Sendable (Double) async throws -> Void

    public init(transport: any CommandTransport) {
        self.init(transport: transport) { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }
    }

    init(transport: any CommandTransport, pause: @escaping @Sendable (Double) async throws -> Void) {
        self.transport = transport
        self.pause = pause
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let p = try step.parameters(WorkingCheckParameters.self)
        let argv = try step.nonEmpty(p.argv, "argv")
        let period = p.period > 0 ? ", passing for \(p.period) s (every \(p.interval) s)" : ""
        return .pending([PlannedChange(.run, "check on \(step.targetHost.name): `\(CommandFailure.render(argv))`\(period)")])
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        try refuseDryRun(step, context)
        let p = try step.parameters(WorkingCheckParameters.self)
        let argv = try step.nonEmpty(p.argv, "argv")
        let host = step.targetHost
        let timeout = Double(p.timeout ?? 300)
        let start = ContinuousClock.now
        let period = Duration.seconds(p.period)
        var runs = 0
        while true {
            // Done when a run that started after the period passes (with a period: two runs at least).
            let began = ContinuousClock.now - start
            let outcome = try await transport.run(argv, on: host, stdin: nil, timeout: timeout)
            runs += 1
            guard outcome.status == 0 else {
                throw WorkingCheckFailure(run: runs, check: CommandFailure.exited(argv, outcome, on: host.name))
            }
            if began >= period { break }
            let left = period - (ContinuousClock.now - start)
            let wait = min(Duration.seconds(max(p.interval, 1)), max(left, .zero))
            try await pause(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
        }
        return ["runs": String(runs), "period": String(p.period)]
    }
}

/// The plan's working-system check failed: the gate before the irreversible steps stays shut.
public struct WorkingCheckFailure: StepFailure, Hashable {
    /// Which run of the check failed (1 = the first).
    public var run: Int
    public var check: CommandFailure

    public var disposition: FailureDisposition { .permanent }
    public var summary: String { "the working-system check failed (run \(run)): \(check.summary)" }
    public var hint: String? { "nothing irreversible ran; fix the new system, then `mailshift resume` runs the check again" }
    public var diagnosticCode: DiagnosticCode { "gate.working-check-failed" }
    public var subject: RunSubject? { check.subject }
}
