import Diagnostics
import Foundation
import Journal
import Steps

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
    /// Apply or preview.
    let strategy: any AttemptStrategy

    var dryRun: Bool { options.mode == .dryRun }
    /// The real `parallel` limit (what the slots allow).
    var slotsParallel: Int { slots.parallelLimit }
    var policy: RunPolicy { graph.policy }

    func run(_ step: StepInstance) async -> StepResult {
        let i = step.index
        observer?.handle(.stepStarted(index: i, stepID: step.id, batch: step.batch))
        let result = await perform(step)
        observer?.handle(.stepFinished(index: i, stepID: step.id, batch: step.batch, outcome: result.outcome))
        return result
    }

    /// A gate is decided here; any other step goes to its driver through the run's strategy
    /// (apply or preview), holding a slot only while it acts on a live system.
    private func perform(_ step: StepInstance) async -> StepResult {
        if step.kind == .gate {
            slots.withdraw()
            let gate = try? step.parameters(GateParameters.self)
            return strategy.gate(
                step, message: gate?.message ?? step.label ?? "approval needed", approved: approved.contains(step.index),
                auto: gate?.autoApprove == true)
        }
        guard let runner = runners(step.kind) else {
            slots.withdraw()
            return strategy.noDriver(step, attempt: self)
        }
        return await strategy.act(step, runner: runner, context: makeContext(step), attempt: self)
    }

    /// `inspect`, within the step timeout, retrying transient failures.
    func inspect(_ step: StepInstance, _ runner: any StepRunner, _ context: StepContext) async throws -> Inspection {
        try await retrying(step) { try await withTimeout(policy.stepTimeout) { try await runner.inspect(step, context: context) } }
    }

    /// `apply`, within the step timeout, retrying transient failures; outputs redacted and merged
    /// with what the step checkpointed.
    func apply(_ step: StepInstance, _ runner: any StepRunner, _ context: StepContext) async throws -> StepOutputs {
        let outputs = try await retrying(step) {
            try await withTimeout(policy.stepTimeout) { try await runner.apply(step, context: context) }
        }
        let merged = (book[step.index] ?? StepOutputs()).merging(redactor.redact(outputs))
        book.set(step.index, merged)
        return merged
    }

    static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || Task.isCancelled
    }

    func fail(_ step: StepInstance, _ error: any Error) -> StepResult {
        .failed(step.index, failureNote(step, error))
    }

    func failureNote(_ step: StepInstance, _ error: any Error) -> FailureNote {
        FailureNote(stepID: step.id, host: step.host?.name, user: step.user, error: error, redact: redactor.redact)
    }

    func journal(_ records: [JournalRecord]) async throws {
        guard let store else { return }
        do {
            try await store.append(records)
            book.countTransitions(records.count)
        } catch {
            throw JournalWriteFailure(message: String(describing: error))
        }
    }

    func makeContext(_ step: StepInstance) -> StepContext {
        let book = self.book
        let redactor = self.redactor
        let observer = self.observer
        let attempt = self
        let dryRun = self.dryRun
        let id = step.id
        return StepContext(
            dryRun: dryRun, hosts: graph.hosts, directory: graph.directory, previousOutputs: book[step.index],
            projection: strategy.projection,
            outputs: { book.outputs(ofStepID: $0) },
            checkpoint: { outputs in
                guard !dryRun else { throw StepRefusal(.applyDuringDryRun) }
                let clean = redactor.redact(outputs)
                try await attempt.journal([.checkpoint(step, outputs: clean)])
                book.merge(step.index, clean)
            },
            log: { line in observer?.handle(.log(stepID: id, line: redactor.redact(line))) })
    }
}
