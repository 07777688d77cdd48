import Diagnostics
import PlanModel

/// A section only some strategies' lowering reads is ignored by the others: say so rather than
/// let a `forward` plan look as if it stopped sendmail or held mail.
struct StrategySectionRule: ValidationRule {
    /// Section → the strategies whose lowering uses it (the rest never read it).
    static let usedBy: [(section: String, strategies: [Strategy])] = [
        ("services.legacy_mta", [.simple, .proxy]),
        ("services.proxy_server", [.proxy]),
        ("services.proxy_setup", [.proxy]),
        ("services.hold", [.proxy]),
        ("services.choke", [.choke]),
        ("forward", [.forward]),
    ]

    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        guard let strategy = plan.strategy?.value else { return }
        let s = plan.services
        let written: [String: SourceRange] = [
            "services.legacy_mta": s.legacyMTA?.range, "services.proxy_server": s.proxyServer?.range,
            "services.proxy_setup": s.proxySetup?.range, "services.hold": s.hold?.range, "services.choke": s.choke?.range,
            "forward": plan.forward?.range,
        ].compactMapValues { $0 }
        for (section, strategies) in usedBy where !strategies.contains(strategy) {
            guard let range = written[section] else { continue }
            diagnostics.append(.ignoredByStrategy(section, strategy: strategy.rawValue, usedBy: strategies.map(\.rawValue), at: range))
        }
    }
}
