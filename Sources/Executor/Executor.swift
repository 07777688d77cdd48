import Foundation
import Journal
import Steps

/// Runs a step graph: the loop (ninja's `Builder`) over the plan of work (`SchedulerState`),
/// with the journal recording each transition before the loop acts on it.
///
/// How a run goes:
/// 1. The caller holds the journal's lock and has replayed it (`JournalState.load`). A journal
///    for another version of the plan is rebound to this graph (compacted) unless the change is
///    past a point of no return (then `run` throws `ExecutorError.pastPointOfNoReturn`).
/// 2. Ready steps launch as child tasks within `parallel` and `per_host`; each reports back to
///    this loop, which alone updates the scheduler state.
/// 3. A failure skips what depends on it (only the root cause is reported); independent work
///    goes on; `max_failures` stops a batch; a gate without approval waits and blocks only its
///    dependents.
/// 4. `RunControl.stop()` stops launching; `cancel()` also cancels running steps. Either way the
///    journal stays resumable: a step without its `done` record is inspected again next time.
public struct Executor: Sendable {
    public let graph: StepGraph
    public let store: (any JournalStore)?
    public let runners: @Sendable (StepKind) -> (any StepRunner)?
    public let options: RunOptions
    public let observer: (any RunObserver)?
    public let control: RunControl

    public init(
        graph: StepGraph, store: (any JournalStore)?, runners: @escaping @Sendable (StepKind) -> (any StepRunner)?,
        options: RunOptions = RunOptions(), observer: (any RunObserver)? = nil, control: RunControl = RunControl()
    ) {
        self.graph = graph
        self.store = store
        self.runners = runners
        self.options = options
        self.observer = observer
        self.control = control
    }

    /// Runs (or previews) the graph from the journal's state.
    public func run(from state: JournalState) async throws -> RunReport {
        if let change = state.change, change.isRefused { throw ExecutorError.pastPointOfNoReturn(change) }
        let started = Date()
        let dryRun = options.mode == .dryRun
        if let store, !dryRun {
            let header = JournalHeader(
                graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
            // Rebind to a changed plan, or compact a log grown by many resumes (ninja's recompaction).
            if state.change != nil || state.recordCount > Self.compactionThreshold(graph.stepCount) {
                try store.rewrite(header: header, records: state.compactedRecords(for: graph))
            }
            try store.beginAppending(header: header)
            try await store.append([.session(mode: options.sessionName, host: ProcessInfo.processInfo.hostName,
                pid: getpid(), time: LockHolder.now())])
        }
        defer { if !dryRun { store?.close() } }

        let parallel = max(1, options.parallel ?? graph.policy.parallel)
        let perHost = max(1, graph.policy.perHost)
        let admission = AdmissionGuard(graph: graph, control: control)
        // Admit a window of steps several times the limits (see ApplySlots); slots enforce the limits.
        let window = Self.admissionFactor
        let scheduler = SchedulerState(
            graph: graph, status: state.status, parallel: parallel * window, perHost: perHost * window,
            onlyBatches: options.onlyBatches, admission: admission)
        let slots = ApplySlots(parallel: parallel, perHost: perHost, lanes: scheduler.laneCount)
        let book = OutputsBook(outputs: state.outputs, graph: graph)
        let attempt = StepAttempt(
            graph: graph, runners: runners, store: store, book: book, options: options, observer: observer,
            approved: state.approved, redactor: SecretRedactor(options.secrets), slots: slots, admission: admission,
            lanes: scheduler.laneTable, strategy: dryRun ? PreviewAttempt() : ApplyAttempt())
        let batches = progress(state.status)
        observer?.handle(.began(batches: batches))

        let loop = RunLoop(scheduler: scheduler, attempt: attempt, control: control, observer: observer, admission: admission)
        let task = Task { await loop.run() }
        control.onCancel { task.cancel() }
        var outcome = await task.value
        if let fatal = outcome.fatal { throw ExecutorError.journalWrite(fatal) }
        if dryRun {
            for i in 0..<graph.stepCount where state.status[i] == .done {
                outcome.preview.add(graph.step(i), inspection: nil)
            }
        }

        var report = outcome.report
        report.seconds = Date().timeIntervalSince(started)
        report.transitions = book.transitionCount
        if dryRun { report.preview = outcome.preview }
        return report
    }

    /// Records beyond which a journal is compacted before a run (several runs' worth of records).
    static func compactionThreshold(_ steps: Int) -> Int { max(4 * steps, 10_000) }

    /// The admission window's cap per slot (the loop adapts the window below it): large enough that
    /// journal groups of no-op-like steps hide the flush latency.
    static let admissionFactor = 512
}
