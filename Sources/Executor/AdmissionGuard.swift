import Foundation
import Steps
import Synchronization

/// What every running step checks before it starts acting: the run is not stopping, and its
/// batch has not passed `max_failures`. Failures are counted here, by the failing step while it
/// still holds its slot, so with `parallel: 1` no step of a stopped batch starts after the
/// failure that stopped it.
final class AdmissionGuard: Sendable {
    private struct Counts {
        var failures: [Int]
        var stopped: [Bool]
        var stopOrder: [Int] = []
    }
    private let control: RunControl
    private let limits: [Int?]
    private let counts: Mutex<Counts>

    init(graph: StepGraph, control: RunControl) {
        self.control = control
        self.limits = graph.batches.map(\.maxFailures)
        let n = graph.batches.count
        self.counts = Mutex(Counts(failures: [Int](repeating: 0, count: n), stopped: [Bool](repeating: false, count: n)))
    }

    func mayStart(batch: Int?) -> Bool {
        if control.isStopping { return false }
        guard let batch else { return true }
        return !isStopped(batch)
    }

    func isStopped(_ batch: Int) -> Bool {
        counts.withLock { $0.stopped[batch] }
    }

    /// Counts a failed step; true when this failure stops its batch.
    @discardableResult
    func recordFailure(batch: Int?) -> Bool {
        guard let batch else { return false }
        let limit = limits[batch]
        return counts.withLock { c in
            c.failures[batch] += 1
            guard let limit, c.failures[batch] > limit, !c.stopped[batch] else { return false }
            c.stopped[batch] = true
            c.stopOrder.append(batch)
            return true
        }
    }

    /// Batches stopped, in the order they stopped, with their failure counts and limits.
    var stoppedBatches: [(batch: Int, failures: Int, limit: Int)] {
        counts.withLock { c in c.stopOrder.map { ($0, c.failures[$0], limits[$0] ?? 0) } }
    }
}
