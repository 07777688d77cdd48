import Diagnostics
import PlanModel

/// A user moves exactly once: a name listed twice (in one batch or two) is reported with both places.
struct DuplicateUserRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let roster = input.roster
        let found = DuplicateNameFinder.duplicates(in: roster.users)
        for (i, f) in found.prefix(Diagnostic.reportLimit) {
            diagnostics.append(
                .duplicateUser(
                    roster.users[i], batch: roster.declaredBatch(ofUser: i, in: input.plan),
                    firstBatch: roster.declaredBatch(ofUser: f, in: input.plan),
                    at: roster.location(ofUser: i), first: roster.location(ofUser: f)))
        }
        let duplicates = found.count
        if duplicates > Diagnostic.reportLimit {
            diagnostics.append(.andMore(duplicates - Diagnostic.reportLimit, of: "users listed twice"))
        }
    }
}
