import Diagnostics
import Foundation
import Steps

/// `service.stop` / `service.start`: run the plan's stop or start argv on the service's host,
/// then wait (bounded by `wait`) until the `running` check or the pid file agrees.
///
/// Idempotent and verified: `apply` on a service already in the wanted state runs nothing, and it
/// only succeeds once the check confirms the new state. Without any check, `inspect` cannot tell
/// and says what it would run; `apply` then trusts the command's exit status.
public struct ServiceRunner: StepRunner {
    public enum Direction: String, Sendable { case stop, start }

    public let direction: Direction
    public let transport: any CommandTransport
    /// Seconds between checks while waiting.
    public var pollInterval: Double = 0.2

    public init(_ direction: Direction, transport: any CommandTransport) {
        self.direction = direction
        self.transport = transport
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let p = try step.parameters(ServiceParameters.self)
        let argv = try step.nonEmpty(p.argv, "argv")
        let name = p.service.isEmpty ? step.id : p.service
        let host = step.targetHost
        // An earlier step of the preview stops or starts it first: that is the state to compare.
        let fact = ProjectedState.Fact.service(host: host.name, name: name)
        let projected = context.projection?.values(fact)?.first.map { $0 == "running" }
        context.projection?.record(fact, [direction == .start ? "running" : "stopped"])
        guard let probe = ServiceProbe(p, host: host, transport: transport) else {
            return .unknown("no `running` check or `pid_file`: will run `\(CommandFailure.render(argv))` on \(host.name)")
        }
        let running: Bool
        if let projected { running = projected } else { running = try await probe.isRunning() }
        if running == (direction == .start) {
            return .done("\(name) is \(running ? "running" : "stopped") on \(host.name)")
        }
        let marker: PlannedChange.Marker = direction == .stop ? .remove : .add
        return .pending([PlannedChange(marker, "\(direction.rawValue) \(name) on \(host.name): `\(CommandFailure.render(argv))`")])
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        try refuseDryRun(step, context)
        let p = try step.parameters(ServiceParameters.self)
        let argv = try step.nonEmpty(p.argv, "argv")
        let name = p.service.isEmpty ? step.id : p.service
        let host = step.targetHost
        let wait = Double(p.wait)
        var outputs: StepOutputs = ["service": name, "host": host.name]
        let want = direction == .start
        let probe = ServiceProbe(p, host: host, transport: transport)

        if let probe {
            let running = try await probe.isRunning()
            outputs["previous"] = running ? "running" : "stopped"
            if running == want { return outputs }
        }
        let outcome = try await transport.run(argv, on: host, stdin: nil, timeout: max(wait, 30))
        outputs["exit_status"] = String(outcome.status)
        guard let probe else {
            guard outcome.status == 0 else { throw CommandFailure.exited(argv, outcome, on: host.name) }
            return outputs
        }
        let deadline = Date().addingTimeInterval(wait)
        while true {
            if try await probe.isRunning() == want { return outputs }
            if Date() >= deadline { break }
            try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9))
        }
        if outcome.status != 0 { throw CommandFailure.exited(argv, outcome, on: host.name) }
        throw ServiceStateFailure(
            host: host.name, service: name, wanted: want, waited: wait, command: CommandFailure.render(argv),
            probe: probe.description, direction: direction.rawValue)
    }
}

/// A service that did not reach the state its start or stop command should have put it in,
/// within the plan's `wait`: transient (it may be slow), naming the probe that said so.
public struct ServiceStateFailure: StepFailure, Hashable {
    public var host: String
    public var service: String
    /// Running (start) or stopped (stop).
    public var wanted: Bool
    public var waited: Double
    public var command: String
    public var probe: String
    public var direction: String

    public var disposition: FailureDisposition { .transient }
    public var summary: String {
        "host \(host): \(service) still \(wanted ? "not running" : "running") \(Int(waited)) s after `\(command)` (checked by \(probe))"
    }
    public var hint: String? { "raise the service's `wait`, or check the \(direction) command by hand" }
    public var diagnosticCode: DiagnosticCode { wanted ? "service.not-started" : "service.not-stopped" }
    public var subject: RunSubject? { RunSubject(host: host) }
}
