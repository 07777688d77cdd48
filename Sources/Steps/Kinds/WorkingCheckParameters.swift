/// `working.check`: the plan's "the new system is working" command, run on a host before a
/// batch's irreversible steps. It must exit 0, and keep exiting 0 for `period` seconds (checked
/// every `interval` seconds); any failure fails the step, so nothing irreversible runs.
public struct WorkingCheckParameters: StepParameterSet {
    public var argv: [String]
    /// Seconds the command must keep passing (0: one pass).
    public var period: Int
    /// Seconds between runs while the period lasts.
    public var interval: Int
    /// Seconds one run may take; nil means the runner's default.
    public var timeout: Int?

    public init(argv: [String], period: Int = 0, interval: Int = 30, timeout: Int? = nil) {
        self.argv = argv
        self.period = period
        self.interval = interval
        self.timeout = timeout
    }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.argv = argv.map(t)
        return c
    }
}
