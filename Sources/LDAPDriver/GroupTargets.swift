import Foundation
import Steps

/// The group entries (mailing lists) an `ldap.set` step also acts on: found with the plan's
/// group filter (its `{group}` escaped per RFC 4515) under the group base, and journaled, set
/// aside and rolled back like a user's entry under the key `group:<name>`.
struct GroupTargets: Sendable {
    var names: [String]
    var base: String?
    /// The filter with `{group}` as the pipeline's `{user}` placeholder.
    var template: String

    /// Nil when the step moves no groups.
    init?(_ step: StepInstance) throws {
        let p = try step.parameters(LDAPSetParameters.self)
        guard let names = p.groups, !names.isEmpty, let filter = p.groupFilter else { return nil }
        self.names = names
        self.base = p.groupBase
        self.template = filter.replacingOccurrences(of: "{group}", with: "{user}")
    }

    static func key(_ name: String) -> String { "group:" + name }
}
