import Foundation
import Synchronization

/// Stops a run from outside (signal handlers, tests): `stop()` stops launching new steps and lets
/// running ones finish; `cancel()` also cancels the running ones (a second Ctrl-C).
public final class RunControl: Sendable {
    private struct State {
        var stopping = false
        var cancelling = false
        var cancelHandlers: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    public init() {}

    public var isStopping: Bool { state.withLock { $0.stopping } }

    public var isCancelled: Bool { state.withLock { $0.cancelling } }

    public func stop() {
        state.withLock { $0.stopping = true }
    }

    /// Stops and cancels the running steps.
    public func cancel() {
        let handlers = state.withLock { s in
            s.stopping = true
            s.cancelling = true
            return s.cancelHandlers
        }
        for h in handlers { h() }
    }

    /// First call stops, the second cancels (what SIGINT/SIGTERM do).
    public func signalReceived() {
        if isStopping { cancel() } else { stop() }
    }

    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { s in
            if !s.cancelling { s.cancelHandlers.append(handler) }
            return s.cancelling
        }
        if already { handler() }
    }
}
