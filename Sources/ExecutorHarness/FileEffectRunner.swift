import Digest
import Foundation
import Steps

#if canImport(Glibc)
import Glibc
#endif

/// A step runner with real local side effects, for the executor's tests, crash harness and
/// benchmarks: each step creates one file, `<root>/effects/<step id with / as _>`.
///
/// The effect is built so that a second application is detected, not absorbed: `apply` writes a
/// temporary file and `link(2)`s it to the final name, which fails with EEXIST if the effect is
/// already there — the runner then throws "applied twice". Only the executor's inspect-before-apply
/// keeps that from happening. The file's content names the step and the tokens (outputs) of the
/// steps it depends on, read through `StepContext.outputs(of:)`: so journaled outputs are checked
/// to survive crashes too. Before linking, the token is checkpointed, so a step found done by
/// `inspect` after a crash still has its outputs.
public final class FileEffectRunner: StepRunner, @unchecked Sendable {
    public let root: String
    public let graph: StepGraph
    /// Microseconds each apply sleeps (to widen the window a kill can land in).
    public var applyDelay: UInt32
    /// Step id → failures to throw before succeeding (transient) or forever (permanent).
    public var transientFailures: [String: Int]
    public var permanentFailures: Set<String>
    /// Output values to return (e.g. a secret a careless driver leaks), by step id.
    public var extraOutputs: [String: StepOutputs]

    private let lock = NSLock()
    private var running = 0
    private var runningPerHost: [String: Int] = [:]
    private var attempts: [String: Int] = [:]
    public private(set) var maxRunning = 0
    public private(set) var maxRunningPerHost: [String: Int] = [:]
    public private(set) var applyCount = 0
    public private(set) var inspectCount = 0

    public init(root: String, graph: StepGraph, applyDelay: UInt32 = 0) {
        self.root = root
        self.graph = graph
        self.applyDelay = applyDelay
        self.transientFailures = [:]
        self.permanentFailures = []
        self.extraOutputs = [:]
        try? FileManager.default.createDirectory(atPath: root + "/effects", withIntermediateDirectories: true)
    }

    public func path(of stepID: String) -> String {
        root + "/effects/" + stepID.replacingOccurrences(of: "/", with: "_")
    }

    public func attempts(of stepID: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return attempts[stepID] ?? 0
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        lock.withLock { inspectCount += 1 }
        if access(path(of: step.id), F_OK) == 0 { return .done() }
        return .pending([PlannedChange(.add, "write \(step.id)", messages: 1, bytes: 64)])
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        if context.dryRun { throw StepError.permanent("apply called during a dry-run") }
        enter(step)
        defer { leave(step) }
        if applyDelay > 0 { try await Task.sleep(nanoseconds: UInt64(applyDelay) * 1000) }
        if permanentFailures.contains(step.id) { throw StepError.permanent("\(step.id): refused by the test") }
        if let n = transientFailures[step.id], attempts(of: step.id) <= n {
            throw StepError.transient("\(step.id): busy (attempt \(attempts(of: step.id)))")
        }
        var content = step.id + "\n"
        for d in graph.dependencies(of: step.index) where graph.templates[graph.locate(d).template].kind != .gate {
            let id = graph.stepID(d)
            guard let token = context.outputs(of: id)?["token"] else {
                throw StepError.permanent("\(step.id): no journaled token for dependency \(id)")
            }
            content += id + " " + token + "\n"
        }
        let token = Fingerprint(fields: [content]).short
        try await context.checkpoint(["token": token])
        let final = path(of: step.id)
        let tmp = final + ".tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        try write(content, to: tmp)
        defer { unlink(tmp) }
        if link(tmp, final) != 0 {
            if errno == EEXIST { throw StepError.permanent("\(step.id): effect applied twice") }
            throw StepError.permanent("\(step.id): link failed: errno \(errno)")
        }
        var outputs: StepOutputs = ["token": token]
        if let extra = extraOutputs[step.id] { outputs = outputs.merging(extra) }
        return outputs
    }

    private func write(_ content: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StepError.permanent("cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(content.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw StepError.permanent("cannot write \(path): errno \(errno)")
        }
    }

    private func enter(_ step: StepInstance) {
        lock.lock()
        defer { lock.unlock() }
        attempts[step.id, default: 0] += 1
        applyCount += 1
        running += 1
        maxRunning = max(maxRunning, running)
        if let h = step.host?.name {
            runningPerHost[h, default: 0] += 1
            maxRunningPerHost[h] = max(maxRunningPerHost[h] ?? 0, runningPerHost[h]!)
        }
    }

    private func leave(_ step: StepInstance) {
        lock.lock()
        defer { lock.unlock() }
        running -= 1
        if let h = step.host?.name { runningPerHost[h, default: 1] -= 1 }
    }

    /// Every effect file (name → content), ignoring temporary files left by a kill.
    public static func snapshot(root: String) -> [String: String] {
        let dir = root + "/effects"
        var out: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !name.contains(".tmp.") {
            out[name] = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)
        }
        return out
    }
}
