import Dispatch
import Foundation
import SystemCalls

/// Turns SIGINT and SIGTERM into `RunControl.signalReceived()`: the first stops launching, the
/// second cancels running steps. Keep the trap alive for the run; `cancel()` restores defaults.
public final class SignalTrap: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let signals: [Int32]

    public init(control: RunControl, signals: [Int32] = [Signals.interrupt, Signals.terminate],
        onSignal: (@Sendable (Int32, Bool) -> Void)? = nil)
    {
        self.signals = signals
        for s in signals {
            Signals.ignore(s)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler {
                let second = control.isStopping
                control.signalReceived()
                onSignal?(s, second)
            }
            source.resume()
            sources.append(source)
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for s in signals { Signals.restoreDefault(s) }
    }
}
