import Diagnostics
import PlanModel

/// Every user name is portable: it becomes a path (`/var/mail/<user>`), an argument and a step id.
/// Users-file lines that are not names were set aside by the reader and are reported by position.
struct UserNameRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let roster = input.roster
        var bad = roster.rejectedLineCount
        for at in roster.rejectedLines { diagnostics.append(.usersFileLineNotAName(at: at)) }
        for (i, user) in roster.users.enumerated() where !PortableName.isPortable(user) {
            bad += 1
            if bad <= Diagnostic.reportLimit {
                diagnostics.append(.unsafeUser(user, at: roster.location(ofUser: i)))
            }
        }
        if bad > Diagnostic.reportLimit { diagnostics.append(.andMore(bad - Diagnostic.reportLimit, of: "unsafe user names")) }
    }
}
