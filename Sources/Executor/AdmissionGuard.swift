import Foundation
import Steps

/// What every running step checks before it starts acting: the run is not stopping, and its
/// batch has not passed `max_failures`. Failures are counted here, by the failing step while it
/// still holds its slot, so with `parallel: 1` no step of a stopped batch starts after the
/// failure that stopped it.
final class AdmissionGuard: @unchecked Sendable {
    private let lock = NSLock()
    private let control: RunControl
    private let limits: [Int?]
    private var failures: [Int]
    private var stopped: [Bool]
    private var stopOrder: [Int] = []

    init(graph: StepGraph, control: RunControl) {
        self.control = control
        self.limits = graph.batches.map(\.maxFailures)
        self.failures = [Int](repeating: 0, count: graph.batches.count)
        self.stopped = [Bool](repeating: false, count: graph.batches.count)
    }

    func mayStart(batch: Int?) -> Bool {
        if control.isStopping { return false }
        guard let batch else { return true }
        return !isStopped(batch)
    }

    func isStopped(_ batch: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped[batch]
    }

    /// Counts a failed step; true when this failure stops its batch.
    @discardableResult
    func recordFailure(batch: Int?) -> Bool {
        guard let batch else { return false }
        lock.lock()
        defer { lock.unlock() }
        failures[batch] += 1
        guard let limit = limits[batch], failures[batch] > limit, !stopped[batch] else { return false }
        stopped[batch] = true
        stopOrder.append(batch)
        return true
    }

    /// Batches stopped, in the order they stopped, with their failure counts and limits.
    var stoppedBatches: [(batch: Int, failures: Int, limit: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return stopOrder.map { ($0, failures[$0], limits[$0] ?? 0) }
    }
}
