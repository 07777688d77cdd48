import Foundation

/// Runs blocking work (poll loops, fsyncs, libldap calls) on a thread of its own, never on Swift's
/// cooperative pool: that pool has one thread per core, and a step blocked there would stall
/// every other step of the run.
///
/// Cancellation (a second Ctrl-C, a step timeout) raises the work's `CancelFlag`. With
/// `.waitForWork` the caller waits for the work to notice and return (a child is killed before
/// mailshift exits, LDAP operations are abandoned); with `.abandonWork` the caller gets
/// `CancellationError` at once and the thread runs on until the process exits, which the journal
/// treats like a crash: what that work wrote is invisible until committed, and a resume inspects it.
public enum ThreadedWork {
    public enum OnCancel: Sendable { case waitForWork, abandonWork }

    public static func run<T: Sendable>(
        onCancel: OnCancel = .waitForWork, _ work: @escaping @Sendable (CancelFlag) throws -> T
    ) async throws -> T {
        let flag = CancelFlag()
        let slot = ResumeOnce<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                slot.attach(continuation)
                let thread = Thread { slot.resume(Result { try work(flag) }) }
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            flag.raise()
            if onCancel == .abandonWork { slot.resume(.failure(CancellationError())) }
        }
    }
}

/// A continuation resumed exactly once, whichever comes first (the work or a cancellation), even
/// when the cancellation arrives before the continuation exists.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false

    func attach(_ c: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = lock.withLock {
            if let early { done = true; return early }
            continuation = c
            return nil
        }
        if let ready { c.resume(with: ready) }
    }

    func resume(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = lock.withLock {
            guard !done else { return nil }
            guard let c = continuation else {
                if early == nil { early = result }
                return nil
            }
            done = true
            continuation = nil
            return c
        }
        c?.resume(with: result)
    }
}
