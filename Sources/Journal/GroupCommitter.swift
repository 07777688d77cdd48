import Foundation
import Synchronization
import SystemCalls

/// Makes appended bytes durable in groups: one thread writes whatever callers queued while the
/// previous `fdatasync` ran, syncs once, then resumes them all.
///
/// This is what lets many concurrently finishing steps share one flush: a caller waits at most
/// one write+sync in progress plus its own group's, and the flush count grows with time, not with
/// the number of transitions.
///
/// Each group is sealed here, on the one thread that writes, in file order (`JournalSeal`): the
/// seal reaches the disk in the same write and flush as the lines it covers.
final class GroupCommitter: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private var seal: JournalSeal
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var waiters: [@Sendable (JournalError?) -> Void] = []
    private var failure: JournalError?
    private var closing = false
    private var finished = false
    /// Counters for the benchmark: flushes done and records made durable.
    private(set) var flushes = 0

    init(fd: Int32, path: String, seal: JournalSeal) {
        self.fd = fd
        self.path = path
        self.seal = seal
        let thread = Thread { [self] in loop() }
        thread.name = "journal-commit"
        thread.start()
    }

    /// Queues `records` and returns when they are on stable storage.
    func commit(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            enqueue(bytes) { error in
                if let error { c.resume(throwing: error) } else { c.resume() }
            }
        }
    }

    private func enqueue(_ bytes: [UInt8], then done: @escaping @Sendable (JournalError?) -> Void) {
        condition.lock()
        if let failure {
            condition.unlock()
            done(failure)
            return
        }
        if closing {
            condition.unlock()
            done(JournalError.io(path: path, operation: "append after close", errno: Errno.badDescriptor.code))
            return
        }
        pending += bytes
        waiters.append(done)
        condition.signal()
        condition.unlock()
    }

    /// Writes and syncs `records` on the caller's thread (for rare, synchronous appends).
    func commitNow(_ bytes: [UInt8]) throws {
        let semaphore = DispatchSemaphore(value: 0)
        let box = Mutex<JournalError?>(nil)
        enqueue(bytes) { error in
            box.withLock { $0 = error }
            semaphore.signal()
        }
        semaphore.wait()
        if let e = box.withLock({ $0 }) { throw e }
    }

    /// Flushes what is queued and stops the thread.
    func close() {
        condition.lock()
        closing = true
        condition.signal()
        while !finished { condition.wait() }
        condition.unlock()
    }

    var flushCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return flushes
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !closing { condition.wait() }
            if pending.isEmpty && closing {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var bytes = pending
            let group = waiters
            pending = []
            pending.reserveCapacity(bytes.count)
            waiters = []
            condition.unlock()

            seal.seal(&bytes, from: 0)
            let error = write(bytes)
            condition.lock()
            flushes += 1
            if let error, failure == nil { failure = error }
            condition.unlock()
            for done in group { done(error) }
        }
    }

    private func write(_ bytes: [UInt8]) -> JournalError? {
        do {
            try Descriptor.writeAll(fd, bytes)
        } catch {
            return .io(path: path, operation: "write", errno: error.code)
        }
        do throws(Errno) {
            try Descriptor.syncData(fd)
        } catch {
            return .io(path: path, operation: "fdatasync", errno: error.code)
        }
        return nil
    }
}
