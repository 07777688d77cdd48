import Foundation

/// A repeating timer on a global queue, held by a `Sendable` printer: Dispatch sources are
/// thread-safe, but their protocol does not say so.
final class SendableTimer: @unchecked Sendable {
    private let source: any DispatchSourceTimer

    init(every interval: DispatchTimeInterval) {
        source = DispatchSource.makeTimerSource(queue: .global())
        source.schedule(deadline: .now() + interval, repeating: interval)
    }

    func start(_ handler: @escaping @Sendable () -> Void) {
        source.setEventHandler(handler: handler)
        source.resume()
    }

    func cancel() { source.cancel() }
}
