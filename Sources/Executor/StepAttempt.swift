import Foundation
import Journal
import Steps

/// How one launched step came back to the run loop (which journals it: see `RunLoop`).
enum StepResult: Sendable {
    case applied(Int, StepOutputs)
    /// Inspect found the effect in place; outputs are what the step had checkpointed.
    case alreadyDone(Int, StepOutputs)
    /// A gate approved in the journal (`approved`) or by the plan (`auto-approved`).
    case gatePassed(Int, how: String)
    case failed(Int, FailureNote)
    case waiting(Int, String)
    case interrupted(Int)
    /// Admitted but not begun: the run is stopping or the batch passed `max_failures`.
    case notStarted(Int)
    /// A checkpoint could not be journaled.
    case journalFailed(Int, String)
    /// Dry-run: what `inspect` found; with a failure note when inspecting itself failed.
    case previewed(Int, Inspection, FailureNote? = nil)
    /// Loop-internal: a group of records became durable; now do these.
    case flushed([FlushAction])
    case flushFailed(String, [FlushAction])
}

/// What the loop does once the records it queued are durable.
enum FlushAction: Sendable {
    /// Its `started` record is durable: the step may act.
    case launch(Int)
    /// Its `done` record is durable: dependents may start.
    case complete(Int)
}

/// A journal append failed: the run must stop (a transition that is not durable must not be acted on).
struct JournalWriteFailure: Error {
    var message: String
}

/// Runs one step (the `Builder`'s per-edge work in ninja terms): a gate decision, or inspect →
/// apply with retries and timeout. The step's `started` record is durable before this runs and
/// its result is journaled by the loop before anything depends on it; only checkpoints are
/// journaled from here.
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
    /// The real `parallel` limit (what the slots allow).
    var slotsParallel: Int { slots.parallelLimit }
    var policy: RunPolicy { graph.policy }

    func run(_ step: StepInstance) async -> StepResult {
        let i = step.index
        observer?.handle(.stepStarted(index: i, stepID: step.id, batch: step.batch))
        let result = await perform(step)
        if let observer {
            let outcome: StepOutcome
            switch result {
            case .applied, .gatePassed: outcome = .applied
            case .alreadyDone: outcome = .alreadyDone
            case .failed: outcome = .failed
            case .waiting: outcome = .waiting
            case .interrupted, .journalFailed, .notStarted, .flushed, .flushFailed: outcome = .interrupted
            case .previewed: outcome = .previewed
            }
            observer.handle(.stepFinished(index: i, stepID: step.id, batch: step.batch, outcome: outcome))
        }
        return result
    }

    /// inspect (holding a slot) → `started` durable → apply (holding a slot) → `done` durable.
    /// A slot is held only while the step acts on a live system, never while it waits for the
    /// journal, so records of many steps share each flush.
    /// inspect (holding a slot) → apply (holding a slot). A slot is held only while the step acts
    /// on a live system, never while it waits for the journal.
    private func perform(_ step: StepInstance) async -> StepResult {
        let i = step.index
        if step.kind == .gate {
            slots.withdraw()
            return gate(step)
        }
        let batch = graph.templates[step.template].batch
        let lane = lanes[step.template]
        guard let runner = runners(step.kind) else {
            slots.withdraw()
            if dryRun { return .previewed(i, .unknown("no driver for \(step.kind.rawValue)")) }
            admission.recordFailure(batch: batch)
            return fail(step, StepError.permanent("no driver for \(step.kind.rawValue)",
                hint: "this build of mailshift cannot run \(step.kind.rawValue) steps"))
        }
        let context = makeContext(step)
        await slots.acquire(lane: lane)
        guard dryRun || admission.mayStart(batch: batch) else {
            slots.release(lane: lane)
            return .notStarted(i)
        }
        do {
            let inspection = try await retrying(step) {
                try await withTimeout(policy.stepTimeout) { try await runner.inspect(step, context: context) }
            }
            if dryRun {
                slots.release(lane: lane)
                return .previewed(i, inspection)
            }
            if inspection.state == .done {
                slots.release(lane: lane)
                return .alreadyDone(i, book[i] ?? StepOutputs())
            }
            let outputs = try await retrying(step) {
                try await withTimeout(policy.stepTimeout) { try await runner.apply(step, context: context) }
            }
            if options.confirmAfterApply {
                let again = try await runner.inspect(step, context: context)
                if again.state == .pending {
                    throw StepError.permanent("apply returned but inspect still finds changes to make")
                }
            }
            slots.release(lane: lane)
            let merged = (book[i] ?? StepOutputs()).merging(redactor.redact(outputs))
            book.set(i, merged)
            return .applied(i, merged)
        } catch let error as JournalWriteFailure {
            slots.release(lane: lane)
            return .journalFailed(i, error.message)
        } catch {
            if Self.isCancellation(error) {
                slots.release(lane: lane)
                return .interrupted(i)
            }
            if dryRun {
                slots.release(lane: lane)
                let note = failureNote(step, error)
                return .previewed(i, .unknown("cannot inspect: " + note.summary), note)
            }
            // Counted while the slot is still held, so no step of a stopped batch starts after this.
            admission.recordFailure(batch: batch)
            slots.release(lane: lane)
            return fail(step, error)
        }
    }

    static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || Task.isCancelled
    }

    private func gate(_ step: StepInstance) -> StepResult {
        let gate = try? step.parameters(GateParameters.self)
        let message = gate?.message ?? step.label ?? "approval needed"
        let auto = gate?.autoApprove == true
        let isApproved = approved.contains(step.index)
        if dryRun {
            if isApproved || auto { return .previewed(step.index, .done()) }
            return .previewed(step.index, .pending([PlannedChange(.run, "gate: \(message) (needs mailshift approve)")]))
        }
        if isApproved || auto { return .gatePassed(step.index, how: isApproved ? "approved" : "auto-approved") }
        return .waiting(step.index, message)
    }

    private func fail(_ step: StepInstance, _ error: any Error) -> StepResult {
        .failed(step.index, failureNote(step, error))
    }

    private func failureNote(_ step: StepInstance, _ error: any Error) -> FailureNote {
        let failure = error as? any StepFailure
        return FailureNote(
            stepID: step.id, transient: failure?.disposition == .transient,
            summary: redactor.redact(failure?.summary ?? String(describing: error)),
            hint: failure?.hint.map(redactor.redact))
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
