import Steps

/// How a launched step acts (ninja's dry-run is just another command runner): `ApplyAttempt`
/// inspects and applies what is needed; `PreviewAttempt` only inspects. The loop, the journal
/// and the scheduler are the same for both.
protocol AttemptStrategy: Sendable {
    /// The state earlier steps will leave, for drivers to inspect against (previews only).
    var projection: ProjectedState? { get }
    func gate(_ step: StepInstance, message: String, approved: Bool, auto: Bool) -> StepResult
    func noDriver(_ step: StepInstance, attempt: StepAttempt) -> StepResult
    func act(_ step: StepInstance, runner: any StepRunner, context: StepContext, attempt: StepAttempt) async -> StepResult
}

/// inspect (holding a slot) → apply when the effect is not in place (holding the slot). The
/// step's `started` is durable before this runs and the loop journals its result.
struct ApplyAttempt: AttemptStrategy {
    var projection: ProjectedState? { nil }

    func gate(_ step: StepInstance, message: String, approved: Bool, auto: Bool) -> StepResult {
        if approved || auto { return .gatePassed(step.index, how: approved ? "approved" : "auto-approved") }
        return .waiting(step.index, message)
    }

    func noDriver(_ step: StepInstance, attempt: StepAttempt) -> StepResult {
        attempt.admission.recordFailure(batch: attempt.graph.templates[step.template].batch)
        return attempt.fail(step, StepRefusal(.noDriver(kind: step.kind.rawValue)))
    }

    func act(_ step: StepInstance, runner: any StepRunner, context: StepContext, attempt: StepAttempt) async -> StepResult {
        let i = step.index
        let batch = attempt.graph.templates[step.template].batch
        let lane = attempt.lanes[step.template]
        await attempt.slots.acquire(lane: lane)
        guard attempt.admission.mayStart(batch: batch) else {
            attempt.slots.release(lane: lane)
            return .notStarted(i)
        }
        do {
            if try await attempt.inspect(step, runner, context).state == .done,
                attempt.book[i] != nil || !step.kind.recomputesOutputs
            {
                attempt.slots.release(lane: lane)
                return .alreadyDone(i, attempt.book[i] ?? StepOutputs())
            }
            let outputs = try await attempt.applyCatchingUp(step, runner, context)
            attempt.slots.release(lane: lane)
            return .applied(i, outputs)
        } catch let error as JournalWriteFailure {
            attempt.slots.release(lane: lane)
            return .journalFailed(i, error.message)
        } catch {
            if StepAttempt.isCancellation(error) {
                attempt.slots.release(lane: lane)
                return .interrupted(i)
            }
            // Counted while the slot is still held, so no step of a stopped batch starts after this:
            // one failure per user set aside.
            let partial = error as? UsersSetAside
            for _ in 0..<max(1, partial?.parts.count ?? 1) { attempt.admission.recordFailure(batch: batch) }
            attempt.slots.release(lane: lane)
            if let partial { return .setAside(i, attempt.failureNote(step, partial), users: partial.users) }
            return attempt.fail(step, error)
        }
    }
}

/// inspect only (holding a slot): what the step would change, changing nothing.
///
/// Steps are inspected against the projected state (`ProjectedState`). A driver that cannot
/// project (a site command's check, a hold spool) and finds its effect in place while an earlier
/// step will still change things is reported unknown, not done: the check answers for now, not
/// for when the step runs.
struct PreviewAttempt: AttemptStrategy {
    let projection: ProjectedState? = ProjectedState()
    /// Kinds whose drivers read and record the projection.
    static let projecting: Set<StepKind> = [
        .ldapSet, .serviceStop, .serviceStart, .forwardDivert, .forwardRestore, .savedImport, .mailboxImport,
        .mailboxVerify, .sourceRetire,
    ]

    func gate(_ step: StepInstance, message: String, approved: Bool, auto: Bool) -> StepResult {
        if approved || auto { return .previewed(step.index, .done()) }
        return .previewed(step.index, .pending([PlannedChange(.run, "gate: \(message) (needs mailshift approve)")]))
    }

    func noDriver(_ step: StepInstance, attempt: StepAttempt) -> StepResult {
        .previewed(step.index, .unknown("no driver for \(step.kind.rawValue)"))
    }

    func act(_ step: StepInstance, runner: any StepRunner, context: StepContext, attempt: StepAttempt) async -> StepResult {
        let lane = attempt.lanes[step.template]
        await attempt.slots.acquire(lane: lane)
        defer { attempt.slots.release(lane: lane) }
        do {
            var inspection = try await attempt.inspect(step, runner, context)
            if inspection.state == .done, !Self.projecting.contains(step.kind), let projection,
                attempt.graph.dependencies(of: step.index).contains(where: projection.isChanging)
            {
                inspection = .unknown("in place now (\(inspection.reason ?? "check passes")), but earlier steps change things first")
            }
            if inspection.state != .done { projection?.markChanging(step: step.index) }
            return .previewed(step.index, inspection)
        } catch {
            if StepAttempt.isCancellation(error) { return .interrupted(step.index) }
            projection?.markChanging(step: step.index)
            let note = attempt.failureNote(step, error)
            return .previewed(step.index, .unknown("cannot inspect: " + note.summary), note)
        }
    }
}
