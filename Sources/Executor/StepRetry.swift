import Diagnostics
import Foundation
import Steps

extension StepAttempt {
    /// Runs `body`, retrying transient failures with exponential backoff and jitter.
    func retrying<T: Sendable>(_ step: StepInstance, _ body: () async throws -> T) async throws -> T {
        let attempts = max(1, policy.retryAttempts)
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let failure as any StepFailure where failure.disposition == .transient && attempt < attempts {
                let delay = max(0, policy.retryBackoff) * pow(2, Double(attempt - 1)) * Double.random(in: 0.5...1.5)
                observer?.handle(.retrying(stepID: step.id, attempt: attempt + 1, delay: delay,
                    reason: redactor.redact(failure.summary)))
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                attempt += 1
            }
        }
    }
}

/// Races `body` against a timer; a step that overruns fails transiently (and is retried).
/// The overrunning body is cancelled; a driver that ignores cancellation is waited for.
func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    guard seconds > 0 else { return try await body() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            throw StepTimeout(seconds: seconds)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}

/// A step that ran past `policy.step_timeout`: transient, so it is retried with backoff.
public struct StepTimeout: StepFailure, Hashable {
    public var seconds: Double
    public var disposition: FailureDisposition { .transient }
    public var summary: String { "timed out after \(seconds) s" }
    public var hint: String? { "raise policy.step_timeout if the step is slow but healthy" }
    public var diagnosticCode: DiagnosticCode { "run.step-timeout" }
}
