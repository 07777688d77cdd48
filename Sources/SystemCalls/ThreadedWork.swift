import Foundation
import Synchronization

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
final class ResumeOnce<T: Sendable>: Sendable {
    private struct Slot {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
    }
    private let slot = Mutex(Slot())

    func attach(_ c: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = slot.withLock { s in
            if let early = s.early {
                s.done = true
                return early
            }
            s.continuation = c
            return nil
        }
        if let ready { c.resume(with: ready) }
    }

    func resume(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = slot.withLock { s in
            guard !s.done else { return nil }
            guard let c = s.continuation else {
                if s.early == nil { s.early = result }
                return nil
            }
            s.done = true
            s.continuation = nil
            return c
        }
        c?.resume(with: result)
    }
}
