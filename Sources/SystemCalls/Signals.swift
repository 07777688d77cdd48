import Glibc

/// Signal dispositions, for code that turns signals into events (a dispatch source sees a signal
/// only once its default action is off).
public enum Signals {
    public static let interrupt: Int32 = SIGINT
    public static let terminate: Int32 = SIGTERM

    /// `signal(s, SIG_IGN)`: the signal no longer kills the process.
    public static func ignore(_ s: Int32) {
        _ = signal(s, SIG_IGN)
    }

    /// `signal(s, SIG_DFL)`: the signal's default action again.
    public static func restoreDefault(_ s: Int32) {
        _ = signal(s, SIG_DFL)
    }
}
