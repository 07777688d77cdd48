import Foundation

/// The real concurrency limits: at most `parallel` steps inspecting or applying at once, and at
/// most `perHost` on one host.
///
/// Why separate from admission: the run loop admits more steps than `parallel` (a window), so
/// that steps waiting for a journal record to become durable do not hold a slot. A step holds a
/// slot only while it acts on a live system (inspect, apply); its `started` and `done` records
/// are then flushed in large groups instead of `parallel`-sized ones.
final class ApplySlots: @unchecked Sendable {
    private struct Waiter {
        var lane: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private let lock = NSLock()
    private let parallel: Int
    var parallelLimit: Int { parallel }

    /// Steps holding a slot, and steps waiting for one or about to ask, now.
    var occupancy: (acting: Int, waiting: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (running, waiters.count + announced)
    }

    /// A step was launched and will ask for a slot (or `withdraw`).
    func announce() {
        lock.lock()
        announced += 1
        lock.unlock()
    }

    /// A launched step that will not ask for a slot (a gate, a kind without a driver).
    func withdraw() {
        lock.lock()
        announced = max(0, announced - 1)
        lock.unlock()
    }
    private let perHost: Int
    private var running = 0
    private var runningInLane: [Int]
    private var waiters: [Waiter] = []
    /// Steps launched that have not yet asked for a slot (their task may not have run yet).
    private var announced = 0

    /// Lane 0 holds steps without a host (only `parallel` applies to them).
    init(parallel: Int, perHost: Int, lanes: Int) {
        self.parallel = max(1, parallel)
        self.perHost = max(1, perHost)
        self.runningInLane = [Int](repeating: 0, count: max(1, lanes))
    }

    private func fits(_ lane: Int) -> Bool {
        running < parallel && (lane == 0 || runningInLane[lane] < perHost)
    }

    func acquire(lane: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            announced = max(0, announced - 1)
            if waiters.isEmpty || !waiters.contains(where: { $0.lane == lane }), fits(lane) {
                running += 1
                runningInLane[lane] += 1
                lock.unlock()
                c.resume()
            } else {
                waiters.append(Waiter(lane: lane, continuation: c))
                lock.unlock()
            }
        }
    }

    func release(lane: Int) {
        lock.lock()
        running -= 1
        runningInLane[lane] -= 1
        var ready: [CheckedContinuation<Void, Never>] = []
        var k = 0
        while k < waiters.count, running < parallel {
            let w = waiters[k]
            if fits(w.lane) {
                running += 1
                runningInLane[w.lane] += 1
                ready.append(w.continuation)
                waiters.remove(at: k)
            } else {
                k += 1
            }
        }
        lock.unlock()
        for c in ready { c.resume() }
    }
}
