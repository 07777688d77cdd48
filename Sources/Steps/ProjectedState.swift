import Foundation
import Synchronization

/// What the steps a preview has already passed will have changed, so that later steps are
/// inspected against the state the run will leave rather than the state of now.
///
/// A dry-run of a fresh plan otherwise reports `set-active` as already done (the entry says
/// active now, although `set-inactive` runs first) and saved mail as nothing to import (the
/// divert that creates it has not run). Drivers record their planned end state as they inspect
/// and read it back before they compare; the executor hands one instance to every step of a
/// preview (dependencies are inspected before their dependents) and none to a real run.
public final class ProjectedState: Sendable {
    /// One fact a step's planned change establishes.
    public enum Fact: Hashable, Sendable {
        /// A directory attribute of a user's entry (name lowercased) → its values.
        case attribute(user: String, name: String)
        /// The object classes a user's entry will have gained (values).
        case objectClasses(user: String)
        /// A service on a host → `running` or `stopped`.
        case service(host: String, name: String)
        /// A file mail will have been saved to (a divert's saved-mail file).
        case savedMail(path: String)
    }

    private struct Book {
        var facts: [Fact: [String]] = [:]
        var changing: Set<Int> = []
    }
    private let book = Mutex(Book())

    public init() {}

    public func record(_ fact: Fact, _ values: [String]) {
        book.withLock { $0.facts[fact] = values }
    }

    /// The projected values, or nil when no earlier step changes this fact.
    public func values(_ fact: Fact) -> [String]? {
        book.withLock { $0.facts[fact] }
    }

    /// Marks a step as one that changes something (or may): its dependents cannot take "already
    /// done now" to mean "done then" unless their driver projects.
    public func markChanging(step index: Int) {
        _ = book.withLock { $0.changing.insert(index) }
    }

    public func isChanging(step index: Int) -> Bool {
        book.withLock { $0.changing.contains(index) }
    }
}
