import Foundation

/// Stops a run from outside (signal handlers, tests): `stop()` stops launching new steps and lets
/// running ones finish; `cancel()` also cancels the running ones (a second Ctrl-C).
public final class RunControl: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var cancelling = false
    private var cancelHandlers: [@Sendable () -> Void] = []

    public init() {}

    public var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelling
    }

    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
    }

    /// Stops and cancels the running steps.
    public func cancel() {
        lock.lock()
        stopping = true
        cancelling = true
        let handlers = cancelHandlers
        lock.unlock()
        for h in handlers { h() }
    }

    /// First call stops, the second cancels (what SIGINT/SIGTERM do).
    public func signalReceived() {
        if isStopping { cancel() } else { stop() }
    }

    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        let already = cancelling
        if !already { cancelHandlers.append(handler) }
        lock.unlock()
        if already { handler() }
    }
}
