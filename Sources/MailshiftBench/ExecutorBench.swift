import ArgumentParser
import Digest
import Executor
import Foundation
import Journal
import Steps

/// `mailshift-bench executor`: the scheduler and journal on a million no-op steps.
///
/// Prints: steps/s and durable transitions/s with the journal on, steps/s with it off and the
/// ratio; the time a resume of a million-step journal (all but one done) takes to reach its first
/// new step; and the run's peak memory per step.
struct ExecutorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executor",
        abstract: "1,000,000 no-op steps with and without the journal; resume latency; memory per step.")

    @Option(help: "Number of steps (two per-user templates, a → b by user).") var steps = 1_000_000
    @Option(help: "Parallelism.") var parallel = 8
    @Option(help: "Microseconds each step's apply sleeps (0: a true no-op; try 1000 for a realistic ratio).")
    var workUs = 0
    @Option(help: "Where the journal goes (default: a temporary directory; use a real disk).") var directory: String?

    func run() async throws {
        let graph = Self.graph(steps: steps, parallel: parallel)
        let base = directory ?? NSTemporaryDirectory() + "/mailshift-bench-executor-\(getpid())"
        try? FileManager.default.removeItem(atPath: base)
        defer { try? FileManager.default.removeItem(atPath: base) }
        print("executor benchmark: \(DryRunPreview.count(graph.stepCount)) no-op steps (apply sleeps \(workUs) µs), "
            + "parallel \(parallel), journal in \(base)")

        // Journal off.
        Memory.resetPeak()
        let before = Memory.residentBytes()
        var cpu = Memory.cpuSeconds()
        let off = NoOpRunner(failLast: nil, workUs: workUs)
        let offReport = try await Executor(graph: graph, store: nil, runners: { _ in off },
            options: RunOptions(parallel: parallel)).run(from: JournalState(stepCount: graph.stepCount))
        let peak = Memory.peakBytes()
        let offRate = Double(graph.stepCount) / offReport.seconds
        let offCPU = Memory.cpuSeconds() - cpu
        print(String(format: "journal off: %.2f s, %.0f steps/s (CPU %.2f s)", offReport.seconds, offRate, offCPU))
        print(String(format: "memory: peak %.0f bytes per step during the run (resident %.0f MB before, peak %.0f MB)",
            Double(peak - before) / Double(graph.stepCount), Double(before) / 1e6, Double(peak) / 1e6))

        // Journal on: the last step fails, leaving a journal with all but one done for the resume.
        let store = FileJournalStore(directory: base + "/state")
        let lease = try store.acquireLock(command: "bench")
        cpu = Memory.cpuSeconds()
        let on = NoOpRunner(failLast: graph.stepCount - 1, workUs: workUs)
        let onReport = try await Executor(graph: graph, store: store, runners: { _ in on },
            options: RunOptions(parallel: parallel)).run(from: JournalState.load(from: store, for: graph))
        let onCPU = Memory.cpuSeconds() - cpu
        let onRate = Double(graph.stepCount) / onReport.seconds
        let flushes = store.flushCount
        print(String(format: "journal on: %.2f s, %.0f steps/s, %.0f durable transitions/s (%d transitions in %d fsyncs, %.1f per group)",
            onReport.seconds, onRate, Double(onReport.transitions) / onReport.seconds, onReport.transitions, flushes,
            Double(onReport.transitions) / Double(max(1, flushes))))
        print(String(format: "journal overhead: %.2fx wall time, %.2fx CPU time (on/off; CPU on %.2f s)",
            onReport.seconds / offReport.seconds, onCPU / max(0.001, offCPU), onCPU))
        let size = (try? FileManager.default.attributesOfItem(atPath: store.logPath)[.size] as? Int) ?? 0
        print(String(format: "journal size: %.0f MB (%.0f bytes per step)", Double(size) / 1e6, Double(size) / Double(graph.stepCount)))

        // Resume: replay the journal, start the executor, time until the one new step applies.
        let resumeRunner = NoOpRunner(failLast: nil)
        let start = Date()
        resumeRunner.startedAt = start
        let state = try JournalState.load(from: store, for: graph)
        let loaded = Date().timeIntervalSince(start)
        let resumeReport = try await Executor(graph: graph, store: store, runners: { _ in resumeRunner },
            options: RunOptions(parallel: parallel, sessionName: "resume")).run(from: state)
        lease.release()
        print(String(format: "resume of a %@-step journal with all but one done: %.3f s to the first new step (replay %.3f s), %d applied",
            DryRunPreview.count(graph.stepCount), resumeRunner.firstApply ?? -1, loaded, resumeReport.applied))
        let n = DryRunPreview.count(graph.stepCount)
        let transitionsPerSecond = Double(onReport.transitions) / onReport.seconds
        BenchResult(name: "executor: durable step transitions/s (\(n) no-op steps, parallel \(parallel), group commit)",
            value: transitionsPerSecond, unit: "transitions/s", baseline: nil, peer: nil, ratio: nil, target: "≥ 50,000/s",
            met: transitionsPerSecond >= 50_000).emit()
        let overhead = onReport.seconds / offReport.seconds
        BenchResult(name: "executor: run with journal vs without (wall)", value: onReport.seconds, unit: "s",
            baseline: offReport.seconds, peer: "same run, journal off", ratio: overhead, target: "≤ 1.5×",
            met: overhead <= 1.5).emit()
        let firstStep = resumeRunner.firstApply ?? .infinity
        BenchResult(name: "executor: resume of a \(n)-step journal to the first new step", value: firstStep, unit: "s",
            baseline: nil, peer: nil, ratio: nil, target: "≤ 1 s", met: firstStep <= 1).emit()
        let perStep = Double(peak - before) / Double(graph.stepCount)
        BenchResult(name: "executor: scheduler memory per step", value: perStep, unit: "bytes", baseline: nil, peer: nil,
            ratio: nil, target: "≤ 1,024 bytes", met: perStep <= 1024).emit()
    }

    static func graph(steps: Int, parallel: Int) -> StepGraph {
        let users = (0..<(steps / 2)).map { "user\($0)" }
        let batch = BatchInfo(name: "all", users: 0..<users.count, usersFingerprint: Fingerprint(fields: ["bench", String(users.count)]))
        let templates = [
            StepTemplate(idPrefix: "all/a", action: .command(CommandParameters(purpose: "a", argv: ["a", "{user}"])), batch: 0, fanout: .perUser),
            StepTemplate(idPrefix: "all/b", action: .command(CommandParameters(purpose: "b", argv: ["b", "{user}"])), batch: 0, fanout: .perUser, dependencies: [.sameUser(0)]),
        ]
        return StepGraph(planName: "bench", strategy: "simple", users: users, batches: [batch], templates: templates,
            policy: RunPolicy(parallel: parallel, perHost: parallel, retryAttempts: 1))
    }
}

/// Does nothing, as fast as it can; optionally fails one step; records when it first applied.
final class NoOpRunner: StepRunner, @unchecked Sendable {
    let failLast: Int?
    let workUs: Int
    private let lock = NSLock()
    var startedAt: Date?
    private(set) var firstApply: Double?

    init(failLast: Int?, workUs: Int = 0) {
        self.failLast = failLast
        self.workUs = workUs
    }

    func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection { .pending([]) }

    func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        if workUs > 0 { try await Task.sleep(nanoseconds: UInt64(workUs) * 1000) }
        if step.index == failLast { throw StepError.permanent("left for the resume benchmark") }
        if let startedAt {
            lock.withLock { if firstApply == nil { firstApply = Date().timeIntervalSince(startedAt) } }
        }
        return StepOutputs()
    }
}

/// Resident memory from /proc (Linux).
enum Memory {
    static func field(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return digits * 1024
        }
        return 0
    }

    /// User + system CPU seconds of this process so far (all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func residentBytes() -> Int { field("VmRSS") }
    static func peakBytes() -> Int { field("VmHWM") }

    /// Resets VmHWM to the current RSS (Linux ≥ 4.0).
    static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }
}
