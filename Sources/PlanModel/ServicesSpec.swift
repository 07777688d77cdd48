import Diagnostics

/// A long-running service the plan stops or starts (the legacy MTA, the new store server, a proxy).
public struct ServiceSpec: Sendable {
    public var host: Located<String>?
    public var start: Located<[String]>?
    public var stop: Located<[String]>?
    /// Exits 0 while the service runs.
    public var running: Located<[String]>?
    public var pidFile: String?
    /// Seconds to wait for the service to reach the wanted state.
    public var wait = 60
    /// Keys the plan wrote (even with a wrong value), so checks do not repeat a decoding error.
    public var written: Set<String> = []
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}

/// A one-off command (dirsync, the proxy conversion, deleting a store user).
public struct RunSpec: Sendable {
    public var host: Located<String>?
    public var run: Located<[String]>?
    /// Exits 0 when the command's effect is already in place.
    public var check: Located<[String]>?
    public var timeout: Int?
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}

/// Holding a batch's delivery (strategy `proxy`): the hold channel's slave and master commands,
/// or a native hold spool directory released by mailshift itself.
public struct HoldSpec: Sendable {
    public var host: Located<String>?
    public var slave: Located<[String]>?
    public var master: Located<[String]>?
    public var spoolDir: Located<String>?
    /// Keys the plan wrote (even with a wrong value).
    public var written: Set<String> = []
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}

/// The SMTP choke router's commands (strategy `choke`).
public struct ChokeSpec: Sendable {
    public var host: Located<String>?
    public var hold: Located<[String]>?
    public var release: Located<[String]>?
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}

/// The plan's `services:` section.
public struct ServicesSpec: Sendable {
    public var legacyMTA: ServiceSpec?
    public var storeServer: ServiceSpec?
    public var proxyServer: ServiceSpec?
    public var dirsync: RunSpec?
    public var proxySetup: RunSpec?
    public var deluser: RunSpec?
    public var hold: HoldSpec?
    public var choke: ChokeSpec?
    public var workingCheck: WorkingCheckSpec?
    public var range: SourceRange?

    public init() {}
}
