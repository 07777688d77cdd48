import Foundation

/// Set once, from any thread, when the task a blocking piece of work serves is cancelled: the
/// work polls it between blocking calls (a child's supervision loop, an LDAP result wait).
public final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    public init() {}

    public var isSet: Bool { lock.withLock { set } }

    public func raise() { lock.withLock { set = true } }
}
