import Diagnostics
import PlanModel

/// A user moves exactly once: a name listed twice (in one batch or two) is reported with both places.
struct DuplicateUserRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let roster = input.roster
        var table = UserNameTable(capacity: roster.users.count)
        var duplicates = 0
        for i in roster.users.indices {
            if let f = table.insert(i, of: roster.users) {
                let user = roster.users[i]
                duplicates += 1
                if duplicates <= Diagnostic.reportLimit {
                    diagnostics.append(
                        .duplicateUser(
                            user, batch: roster.declaredBatch(ofUser: i, in: input.plan),
                            firstBatch: roster.declaredBatch(ofUser: f, in: input.plan),
                            at: roster.location(ofUser: i), first: roster.location(ofUser: f)))
                }
            }
        }
        if duplicates > Diagnostic.reportLimit {
            diagnostics.append(.andMore(duplicates - Diagnostic.reportLimit, of: "users listed twice"))
        }
    }
}
