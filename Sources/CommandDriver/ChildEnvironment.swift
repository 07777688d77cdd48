import SystemCalls

/// The environment a child process starts with: this process's, less the variables that hold
/// the plan's secrets (the directory password's `env` variable).
///
/// mailshift runs as root and starts commands, services and ssh masters that may outlive the
/// step; none of them needs the bind password, and a service would otherwise keep it in its
/// /proc/PID/environ for as long as it runs.
public struct ChildEnvironment: Sendable, Hashable {
    /// Names never passed on.
    public var withheld: Set<String>

    public init(withholding names: some Sequence<String> = [String]()) {
        self.withheld = Set(names)
    }

    /// Everything passed on, as a process without secrets would.
    public static let inherited = ChildEnvironment()

    /// `NAME=value` entries of this process's environment now, less the withheld ones.
    func entries() -> [String] {
        ProcessEnvironment.entries().filter { text in
            let name = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
            return !withheld.contains(name)
        }
    }
}
