/// `service.stop` / `service.start`: act on a service and wait until its probe agrees.
public struct ServiceParameters: StepParameterSet {
    public var service: String
    public var argv: [String]
    /// Exit 0 means running; or, instead, a pid file whose process must be alive.
    public var running: [String]?
    public var pidFile: String?
    /// Seconds to wait for the probe.
    public var wait: Int

    public init(service: String, argv: [String], running: [String]? = nil, pidFile: String? = nil, wait: Int) {
        self.service = service
        self.argv = argv
        self.running = running
        self.pidFile = pidFile
        self.wait = wait
    }

    enum CodingKeys: String, CodingKey { case service, argv, running, pidFile = "pid_file", wait }

    public func expanded(_ t: (String) -> String) -> Self {
        var c = self
        c.argv = argv.map(t)
        c.running = running.expanded(t)
        c.pidFile = pidFile.expanded(t)
        return c
    }
}
