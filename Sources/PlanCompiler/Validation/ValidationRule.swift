import Diagnostics
import PlanModel

/// What every rule sees: the decoded plan and the users it resolved to.
struct ValidationInput {
    var plan: Plan
    var roster: UserRoster
}

/// One semantic check. Rules never stop at the first problem: each appends all it finds.
protocol ValidationRule: Sendable {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList)
}

/// Runs every rule, in a fixed order so the output is stable.
enum Validator {
    static let rules: [any ValidationRule.Type] = [
        HostReferenceRule.self,
        BatchNameRule.self,
        AfterReferenceRule.self,
        AfterCycleRule.self,
        UserNameRule.self,
        DuplicateUserRule.self,
        PlaceholderRule.self,
        PathRule.self,
        StrategyRequirementsRule.self,
        RetirePolicyRule.self,
    ]

    static func validate(_ input: ValidationInput) -> DiagnosticList {
        var out = DiagnosticList()
        for rule in rules { rule.check(input, into: &out) }
        return out
    }
}

/// Portable names (POSIX portable filename characters), safe as a path component, an ssh argument
/// and a step-id segment: letters, digits, `.`, `_`, `-`; not starting with `-` or `.`; no `..`.
enum PortableName {
    static func isPortable(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            guard let first = bytes.first, first != 0x2D, first != 0x2E else { return false }
            var previousDot = false
            for b in bytes {
                let ok =
                    (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
                    || b == 0x2E
                if !ok || (b == 0x2E && previousDot) { return false }
                previousDot = b == 0x2E
            }
            return true
        }
    }
}
