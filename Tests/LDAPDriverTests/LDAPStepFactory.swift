import Digest
import Steps

/// `ldap.set` steps for tests, shaped like the compiler's batch-scope steps.
enum LDAPStepFactory {
    static func set(_ assignments: [String], users: [String], objectClasses: [String] = [], batch: String = "pilot") -> StepInstance {
        var parameters = StepParameters([(StepParameterKey.set, .list(assignments))])
        if !objectClasses.isEmpty { parameters[StepParameterKey.objectClasses] = .list(objectClasses) }
        return StepInstance(
            index: 0, id: "\(batch)/ldap-set", kind: .ldapSet, template: 0, batch: batch, user: nil,
            users: ArraySlice(users), host: nil, parameters: parameters,
            fingerprint: Fingerprint(fields: assignments + users), label: nil, reversible: true)
    }
}
