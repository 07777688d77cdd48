import Executor
import ExecutorHarness
import Foundation
import Journal
import MailshiftTestSupport
import Steps

/// A temp dir with an effects root and a state dir, and a helper that runs the executor the way
/// the CLI does: lock, replay, run, release.
struct ExecutorFixture {
    let dir: TemporaryDirectory
    var root: String { dir.file("root") }
    var stateDirectory: String { dir.file("state") }
    var store: FileJournalStore { FileJournalStore(directory: stateDirectory) }

    init() throws { dir = try TemporaryDirectory(prefix: "executor") }

    func remove() { dir.remove() }

    func run(
        _ graph: StepGraph, runner: FileEffectRunner, options: RunOptions = RunOptions(),
        control: RunControl = RunControl(), observer: (any RunObserver)? = nil,
        runners: (@Sendable (StepKind) -> (any StepRunner)?)? = nil
    ) async throws -> RunReport {
        let store = self.store
        let lease = try store.acquireLock(command: "test")
        defer { lease.release() }
        let state = try JournalState.load(from: store, for: graph)
        let executor = Executor(
            graph: graph, store: store, runners: runners ?? { _ in runner }, options: options, observer: observer,
            control: control)
        return try await executor.run(from: state)
    }

    func state(_ graph: StepGraph) throws -> JournalState { try JournalState.load(from: store, for: graph) }

    func journalText() -> String { (try? String(contentsOfFile: store.logPath, encoding: .utf8)) ?? "" }
}

/// Collects events (thread-safe) for assertions.
final class EventLog: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [RunEvent] = []
    var onStepFinished: (@Sendable (Int) -> Void)?

    func handle(_ event: RunEvent) {
        lock.lock()
        events.append(event)
        let hook = onStepFinished
        let finished = events.reduce(0) { n, e in if case .stepFinished = e { n + 1 } else { n } }
        lock.unlock()
        if case .stepFinished = event { hook?(finished) }
    }
}
