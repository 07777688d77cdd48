import Foundation
import Synchronization

/// Set once, from any thread, when the task a blocking piece of work serves is cancelled: the
/// work polls it between blocking calls (a child's supervision loop, an LDAP result wait).
public final class CancelFlag: Sendable {
    private let raised = Atomic(false)

    public init() {}

    public var isSet: Bool { raised.load(ordering: .acquiring) }

    public func raise() { raised.store(true, ordering: .releasing) }
}
