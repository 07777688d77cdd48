import Diagnostics

/// `services.working_check`: the seed's "if the system is working", as a command the plan supplies
/// (e.g. a test delivery read back over IMAP). Before a batch's irreversible steps (retire,
/// deluser) it must pass, and keep passing for `for` seconds, checked every `every` seconds.
public struct WorkingCheckSpec: Sendable {
    public var host: Located<String>?
    public var run: Located<[String]>?
    /// Seconds one run of the command may take.
    public var timeout: Int?
    /// Seconds the command must keep passing (0: one pass is enough).
    public var period: Double = 0
    /// Seconds between runs while `period` lasts.
    public var interval: Double = 30
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}
