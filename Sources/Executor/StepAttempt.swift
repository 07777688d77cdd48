import Foundation
import Journal
import Steps

/// How one launched step came back to the run loop.
enum StepResult: Sendable {
    case applied(Int)
    case alreadyDone(Int)
    case failed(Int, FailureNote)
    case waiting(Int, String)
    case interrupted(Int)
    /// Admitted but not begun: the run is stopping or the batch passed `max_failures`.
    case notStarted(Int)
    case journalFailed(Int, String)
    case previewed(Int, Inspection)
}

/// A journal append failed: the run must stop (a transition that is not durable must not be acted on).
struct JournalWriteFailure: Error {
    var message: String
}

/// Runs one step (the `Builder`'s per-edge work in ninja terms): gate, or inspect → (started) →
/// apply with retries and timeout → done, each transition durable before the next action.
struct StepAttempt: Sendable {
    let graph: StepGraph
    let runners: @Sendable (StepKind) -> (any StepRunner)?
    let store: (any JournalStore)?
    let book: OutputsBook
    let options: RunOptions
    let observer: (any RunObserver)?
    let approved: Set<Int>
    let redactor: SecretRedactor
    let slots: ApplySlots
    let admission: AdmissionGuard
    /// Template → host lane.
    let lanes: [Int]

    var dryRun: Bool { options.mode == .dryRun }
    var policy: RunPolicy { graph.policy }

    func run(_ i: Int) async -> StepResult {
        let step = graph.step(i)
        observer?.handle(.stepStarted(index: i, stepID: step.id, batch: step.batch))
        let result = await perform(step)
        if let observer {
            let outcome: StepOutcome
            switch result {
            case .applied: outcome = .applied
            case .alreadyDone: outcome = .alreadyDone
            case .failed: outcome = .failed
            case .waiting: outcome = .waiting
            case .interrupted, .journalFailed, .notStarted: outcome = .interrupted
            case .previewed: outcome = .previewed
            }
            observer.handle(.stepFinished(index: i, stepID: step.id, batch: step.batch, outcome: outcome))
        }
        return result
    }

    /// inspect (holding a slot) → `started` durable → apply (holding a slot) → `done` durable.
    /// A slot is held only while the step acts on a live system, never while it waits for the
    /// journal, so records of many steps share each flush.
    private func perform(_ step: StepInstance) async -> StepResult {
        let i = step.index
        if step.kind == .gate { return await gate(step) }
        let batch = graph.templates[step.template].batch
        let lane = lanes[step.template]
        guard let runner = runners(step.kind) else {
            if dryRun { return .previewed(i, .unknown("no driver for \(step.kind.rawValue)")) }
            admission.recordFailure(batch: batch)
            return await fail(step, StepError.permanent("no driver for \(step.kind.rawValue)",
                hint: "this build of mailshift cannot run \(step.kind.rawValue) steps"))
        }
        let context = makeContext(step)
        do {
            await slots.acquire(lane: lane)
            guard dryRun || admission.mayStart(batch: batch) else {
                slots.release(lane: lane)
                return .notStarted(i)
            }
            let inspection: Inspection
            do {
                inspection = try await retrying(step) {
                    try await withTimeout(policy.stepTimeout) { try await runner.inspect(step, context: context) }
                }
            } catch {
                if !dryRun, !Self.isCancellation(error) { admission.recordFailure(batch: batch) }
                slots.release(lane: lane)
                throw error
            }
            slots.release(lane: lane)
            if dryRun { return .previewed(i, inspection) }
            if inspection.state == .done {
                // Found done (e.g. a resumed step whose apply had finished): its outputs are what
                // it checkpointed before acting.
                try await journal([.done(step, how: "found", outputs: book[i] ?? StepOutputs())])
                return .alreadyDone(i)
            }
            guard admission.mayStart(batch: batch) else { return .notStarted(i) }
            try await journal([.started(step, attempt: 1)])
            await slots.acquire(lane: lane)
            guard admission.mayContinue(batch: batch) else {
                slots.release(lane: lane)
                return .notStarted(i)
            }
            let outputs: StepOutputs
            do {
                outputs = try await retrying(step) {
                    try await withTimeout(policy.stepTimeout) { try await runner.apply(step, context: context) }
                }
                if options.confirmAfterApply {
                    let again = try await runner.inspect(step, context: context)
                    if again.state == .pending {
                        throw StepError.permanent("apply returned but inspect still finds changes to make")
                    }
                }
            } catch {
                if !Self.isCancellation(error), !(error is JournalWriteFailure) { admission.recordFailure(batch: batch) }
                slots.release(lane: lane)
                throw error
            }
            slots.release(lane: lane)
            let merged = (book[i] ?? StepOutputs()).merging(redactor.redact(outputs))
            try await journal([.done(step, how: "applied", outputs: merged)])
            book.set(i, merged)
            return .applied(i)
        } catch let error as JournalWriteFailure {
            return .journalFailed(i, error.message)
        } catch {
            if Self.isCancellation(error) { return .interrupted(i) }
            if dryRun {
                let summary = (error as? any StepFailure)?.summary ?? String(describing: error)
                return .previewed(i, .unknown("cannot inspect: " + redactor.redact(summary)))
            }
            return await fail(step, error)
        }
    }

    static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || Task.isCancelled
    }

    private func gate(_ step: StepInstance) async -> StepResult {
        let message = step.parameters.text(StepParameterKey.message) ?? step.label ?? "approval needed"
        let auto = step.parameters.flag(StepParameterKey.autoApprove) == true
        let isApproved = approved.contains(step.index)
        if dryRun {
            if isApproved || auto { return .previewed(step.index, .done()) }
            return .previewed(step.index, .pending([PlannedChange(.run, "gate: \(message) (needs mailshift approve)")]))
        }
        do {
            if isApproved || auto {
                try await journal([.done(step, how: auto && !isApproved ? "auto-approved" : "approved", outputs: [:])])
                return .applied(step.index)
            }
            try await journal([.waiting(step, message: message)])
            return .waiting(step.index, message)
        } catch let error as JournalWriteFailure {
            return .journalFailed(step.index, error.message)
        } catch {
            return .interrupted(step.index)
        }
    }

    private func fail(_ step: StepInstance, _ error: any Error) async -> StepResult {
        let failure = error as? any StepFailure
        let note = FailureNote(
            stepID: step.id, transient: failure?.disposition == .transient,
            summary: redactor.redact(failure?.summary ?? String(describing: error)),
            hint: failure?.hint.map(redactor.redact))
        do {
            try await journal([.failed(step, disposition: note.transient ? .transient : .permanent,
                summary: note.summary, hint: note.hint)])
        } catch {
            return .journalFailed(step.index, String(describing: error))
        }
        return .failed(step.index, note)
    }

    func journal(_ records: [JournalRecord]) async throws {
        guard let store, !dryRun else { return }
        do {
            try await store.append(records)
            book.countTransitions(records.count)
        } catch {
            throw JournalWriteFailure(message: String(describing: error))
        }
    }

    private func makeContext(_ step: StepInstance) -> StepContext {
        let book = self.book
        let redactor = self.redactor
        let observer = self.observer
        let attempt = self
        let dryRun = self.dryRun
        let id = step.id
        return StepContext(
            dryRun: dryRun, hosts: graph.hosts, directory: graph.directory, previousOutputs: book[step.index],
            outputs: { book.outputs(ofStepID: $0) },
            checkpoint: { outputs in
                guard !dryRun else { throw StepError.permanent("a dry-run cannot checkpoint") }
                let clean = redactor.redact(outputs)
                try await attempt.journal([.checkpoint(step, outputs: clean)])
                book.merge(step.index, clean)
            },
            log: { line in observer?.handle(.log(stepID: id, line: redactor.redact(line))) })
    }

    /// Runs `body`, retrying transient failures with exponential backoff and jitter.
    private func retrying<T: Sendable>(_ step: StepInstance, _ body: () async throws -> T) async throws -> T {
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
            throw StepError.transient("timed out after \(seconds) s", hint: "raise policy.step_timeout if the step is slow but healthy")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
