import Diagnostics
import PlanModel

/// What every rule sees: the decoded plan and the users it resolved to.
struct ValidationInput {
    var plan: Plan
    var roster: UserRoster
    /// The columns of `directory.create.from` when it was read (nil: no file, or unusable).
    var createColumns: [String]? = nil
}

/// One semantic check. Rules never stop at the first problem: each appends all it finds.
protocol ValidationRule: Sendable {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList)
}

/// Runs every rule, in a fixed order so the output is stable.
enum Validator {
    static let rules: [any ValidationRule.Type] = [
        HostReferenceRule.self,
        SSHOptionRule.self,
        BatchNameRule.self,
        AfterReferenceRule.self,
        AfterCycleRule.self,
        UserNameRule.self,
        DuplicateUserRule.self,
        EmptyBatchRule.self,
        PlaceholderRule.self,
        PathRule.self,
        StrategyRequirementsRule.self,
        StrategySectionRule.self,
        RetirePolicyRule.self,
        WorkingCheckRule.self,
        CreateTemplateRule.self,
        CommandStoreCountRule.self,
        VerifyModeRule.self,
        HoldReleaseChoiceRule.self,
        PrecopyRule.self,
        TwoHostPrecopyRule.self,
    ]

    static func validate(_ input: ValidationInput) -> DiagnosticList {
        var out = DiagnosticList()
        for rule in rules { rule.check(input, into: &out) }
        return out
    }
}
