import Diagnostics
import PlanModel

/// Every user name is portable: it becomes a path (`/var/mail/<user>`), an argument and a step id.
/// Users-file lines that are not names were set aside by the reader and are reported by position.
struct UserNameRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let roster = input.roster
        var bad = roster.rejectedLineCount
        for at in roster.rejectedLines { diagnostics.append(.usersFileLineNotAName(at: at)) }
        for origin in roster.origins {
            // The users-file reader kept only names that passed.
            if case .packed = origin.positions { continue }
            for i in origin.range where !PortableName.isPortable(roster.users[i]) {
                bad += 1
                if bad <= Diagnostic.reportLimit {
                    diagnostics.append(.unsafeUser(roster.users[i], at: roster.location(ofUser: i)))
                }
            }
        }
        if bad > Diagnostic.reportLimit { diagnostics.append(.andMore(bad - Diagnostic.reportLimit, of: "unsafe user names")) }
    }
}
