/// The contract every driver implements for the step kinds it owns (ninja's `CommandRunner`,
/// with a read-only `inspect` added so that a dry-run looks at live systems).
///
/// - `inspect` must not change anything: it returns `.done`, the changes it would make, or
///   `.unknown` with a reason. The executor calls it before `apply` (so a resumed step that had
///   in fact finished is recognised and not repeated) and may call it after `apply` to confirm.
/// - `apply` must be idempotent: applying twice leaves the same state as applying once. It returns
///   the outputs later steps or a rollback need (previous values, counts, digests: never a
///   secret). Long steps call `context.checkpoint` to make partial outputs durable before acting
///   on them (e.g. the previous LDAP values before replacing them).
/// - Errors thrown should conform to `StepFailure` so the executor can tell transient from
///   permanent; any other error is treated as permanent.
public protocol StepRunner: Sendable {
    func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection
    func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs
}

/// What `inspect` found.
public struct Inspection: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Nothing to do: the effect is already in place.
        case done
        /// `apply` would make `changes`.
        case pending
        /// Cannot tell without acting (e.g. a command with no check); `reason` says why.
        case unknown
    }

    public var state: State
    public var changes: [PlannedChange]
    public var reason: String?
    /// What the inspection read that its finding rests on and its change lines do not show (a
    /// source mailbox's identity): a saved plan is refused when one of these differs at apply time.
    public var observed: [String: String] = [:]

    public init(state: State, changes: [PlannedChange] = [], reason: String? = nil) {
        self.state = state
        self.changes = changes
        self.reason = reason
    }

    /// The same finding, noting that it rests on `value` read from `subject`.
    public func observing(_ subject: String, _ value: String) -> Inspection {
        var copy = self
        copy.observed[subject] = value
        return copy
    }

    public static func done(_ reason: String? = nil) -> Inspection { Inspection(state: .done, reason: reason) }
    public static func pending(_ changes: [PlannedChange]) -> Inspection { Inspection(state: .pending, changes: changes) }
    public static func unknown(_ reason: String, changes: [PlannedChange] = []) -> Inspection {
        Inspection(state: .unknown, changes: changes, reason: reason)
    }
}

/// One line of a dry-run preview, terraform style: `~ uid=alice: mailDeliveryOption: mailbox → hold`.
public struct PlannedChange: Sendable, Hashable, Codable {
    public enum Marker: String, Sendable, Hashable, Codable {
        case add = "+"
        case modify = "~"
        case remove = "-"
        case irreversible = "!"
        case run = ">"
    }

    public var marker: Marker
    public var text: String
    /// Totals the preview adds up per batch.
    public var messages: Int?
    public var bytes: Int?

    public init(_ marker: Marker, _ text: String, messages: Int? = nil, bytes: Int? = nil) {
        self.marker = marker
        self.text = text
        self.messages = messages
        self.bytes = bytes
    }

    public var line: String { "\(marker.rawValue) \(text)" }
}

/// A step's recorded outputs: a flat string map, journaled. Never put a secret here.
public struct StepOutputs: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }
    public init(dictionaryLiteral elements: (String, String)...) {
        self.values = Dictionary(elements, uniquingKeysWith: { _, b in b })
    }

    public subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var isEmpty: Bool { values.isEmpty }

    /// `self` with `other`'s keys written over it.
    public func merging(_ other: StepOutputs) -> StepOutputs {
        StepOutputs(values.merging(other.values) { _, b in b })
    }
}
