@testable import PlanCompiler
import PlanModel
import Steps
import Testing

/// `CommandRepetition` restates how Lowering emits each command; this holds it to the graphs the
/// example plans (one per strategy) compile to, through the flat parameter rendering.
@Suite struct CommandRepetitionTests {
    @Test(arguments: ["simple.yaml", "forward.yaml", "choke.yaml", "proxy.yaml"])
    func eachCommandRunsAsTheTableSays(_ plan: String) throws {
        let graph = try GraphQuery.compile(plan: plan).graph
        let strategy = try #require(Strategy(rawValue: graph.strategy))
        var seen = 0
        for t in graph.templates {
            let expected: CommandRepetition?
            switch t.kind {
            case .command:
                expected = switch t.parameters.text("purpose") {
                case "dirsync": CommandRepetition.dirsync(strategy)
                case "proxy_setup": CommandRepetition.proxySetup
                case "hold_slave", "hold_master": CommandRepetition.hold
                case "choke_hold", "choke_release": CommandRepetition.choke
                default: nil
                }
            case .serviceStart, .serviceStop: expected = CommandRepetition.service
            case .sourceRetire, .mailboxImport, .mailboxVerify: expected = CommandRepetition.store
            case .userDelete: expected = CommandRepetition.deluser
            case .workingCheck: expected = CommandRepetition.workingCheck
            default: expected = nil
            }
            guard let expected else { continue }
            seen += 1
            switch expected {
            case .once: #expect(t.batch == nil, "\(t.idPrefix) should be plan-wide")
            case .perBatch, .oncePerBatch: #expect(t.batch != nil && t.fanout == .single, "\(t.idPrefix) should be one step per batch")
            case .perMailbox:
                #expect(t.fanout == .perUser, "\(t.idPrefix) should be one step per user")
                // deluser's '{mbox}' is filled in by the compiler; the other mailbox steps carry it.
                #expect(t.kind == .userDelete || t.parameters.text("mbox") != nil, "\(t.idPrefix) should know the mailbox")
            }
        }
        #expect(seen >= 4)
    }
}
