import Diagnostics

/// Where a batch's users come from.
public enum UserSource: Sendable {
    /// Written in the plan: names, and where each was written (same order).
    case inline(names: [String], locations: [SourceLocation])
    /// A text file, one user per line, path relative to the plan.
    case file(Located<String>)
    /// A directory search run when the run starts.
    case directory(filter: Located<String>)
    /// None given (the decoder reported it).
    case missing
}

/// A wave of users moved together.
public struct BatchSpec: Sendable {
    public var name: Located<String>
    public var users: UserSource = .missing
    public var chunk: Located<Int>?
    public var after: [Located<String>] = []
    public var approve = false
    /// Pre-copy passes for this batch (0: none); nil follows `policy.precopy`.
    public var precopyPasses: Int?
    /// Group entries (mailing lists) that move with the batch, by name (`{group}` of the filter).
    public var groups: [Located<String>] = []
    /// A file naming more groups, one per line, relative to the plan.
    public var groupsFile: Located<String>?
    public var range: SourceRange

    public init(name: Located<String>, range: SourceRange) {
        self.name = name
        self.range = range
    }
}

/// Limits and choices the executor applies.
public struct PolicySpec: Sendable {
    public enum Verify: String, Sendable, Hashable, CaseIterable { case count, digest }
    public enum Retire: String, Sendable, Hashable, CaseIterable { case keep, archive, delete }
    public enum MaxFailures: Sendable, Hashable {
        case count(Int)
        case percent(Double)
    }

    public var parallel = 8
    public var perHost = 4
    public var retryAttempts = 3
    /// Seconds.
    public var retryBackoff = 2.0
    /// Seconds (0: none).
    public var stepTimeout = 0.0
    public var maxFailures: MaxFailures?
    public var verify: Verify = .digest
    /// Where `verify` was written (nil: the default, or a value that did not decode).
    public var verifyRange: SourceRange?
    public var retireSource: Retire = .keep
    /// Where `retireSource` was written (nil: the default, or a value that did not decode).
    public var retireSourceRange: SourceRange?
    public var archiveDir: Located<String>?
    public var autoApprove = false
    /// Stop at a gate before each batch's irreversible steps (retire, deluser) until `mailshift
    /// approve`. Default true; `services.working_check` replaces the gate unless this is written true.
    public var confirmBeforeRetire = true
    /// Pre-copy passes before each batch's window (0: no pre-copy); a batch may say otherwise.
    public var precopyPasses = 0
    /// Keys the plan wrote (even with a wrong value).
    public var written: Set<String> = []
    public var range: SourceRange?

    public init() {}
}
