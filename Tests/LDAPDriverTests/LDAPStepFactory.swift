import Digest
import Steps

/// `ldap.set` steps for tests, shaped like the compiler's batch-scope steps.
enum LDAPStepFactory {
    static func set(_ assignments: [String], users: [String], objectClasses: [String] = [], batch: String = "pilot") -> StepInstance {
        let parameters = LDAPSetParameters(set: assignments, objectClasses: objectClasses.isEmpty ? nil : objectClasses)
        return StepInstance(
            index: 0, id: "\(batch)/ldap-set", action: .ldapSet(parameters), template: 0, batch: batch, user: nil,
            users: ArraySlice(users), host: nil,
            fingerprint: Fingerprint(fields: assignments + users), label: nil, reversible: true)
    }
}
