import Foundation
import Synchronization
import Testing

/// Threads of their own for the end-to-end suites. Their tests are synchronous: each runs the
/// real binary and waits for it, tens of seconds at a time. Run on the shared cooperative pool
/// (one thread per core, two here) they held all of it, and every other test of the run queued
/// behind them. On these threads at most `count` of them run at once, and the pool stays free.
final class LabThreads: TaskExecutor {
    static let shared = LabThreads(count: 3)

    private let jobs = Mutex<[UnownedJob]>([])
    private let waiting = DispatchSemaphore(value: 0)

    private init(count: Int) {
        for _ in 0..<count {
            let thread = Thread { [self] in
                // Named from inside: a new thread otherwise carries its creator's name.
                Thread.current.name = "mailshift-e2e"
                while true {
                    waiting.wait()
                    guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        jobs.withLock { $0.append(unowned) }
        waiting.signal()
    }
}

/// `@Suite(.labThreads)`: the suite's tests run on `LabThreads` (their child tasks inherit the
/// preference), not on the cooperative pool.
struct LabThreadsTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(LabThreads.shared) { try await function() }
    }
}

extension Trait where Self == LabThreadsTrait {
    static var labThreads: Self { Self() }
}

@Suite(.labThreads) struct LabThreadsTests {
    /// A synchronous test of such a suite blocks one of these threads, not the cooperative pool.
    @Test func aSuitesTestsRunOnTheLabThreads() {
        #expect(Thread.current.name == "mailshift-e2e")
    }
}
