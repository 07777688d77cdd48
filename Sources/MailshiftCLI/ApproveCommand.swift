import ArgumentParser
import Diagnostics
import Foundation
import Journal
import MigrationRun
import Steps

/// `mailshift approve PLAN GATE`: record a person's approval of a gate in the journal.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a gate (e.g. \"clients now point to the new server\"); a resume then passes it.")

    @Argument(help: "The plan file.") var plan: String
    @Argument(help: "The gate's step id, as `run` or `status` names it (e.g. staff/clients-repointed or global/clients-repointed).") var gate: String
    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).")
    var state: String?
    @Option(name: .customLong("as"), help: "Record this name as the approver (the login is recorded too).")
    var approver: String?
    @Option(name: .long, help: "Why, or what was checked (recorded with the approval).") var comment: String?
    @Flag(name: .long, help: "Approve a gate the run has not reached yet.") var ahead = false

    func run() async throws {
        let compiled = try await PreparedRun.load(plan, state: state, users: .journaled)
        let graph = compiled.graph
        let found = StepLocator(graph: graph).index(of: gate)
        guard let index = found, graph.step(index).kind == .gate else {
            let gates = graph.templates.filter { $0.kind == .gate }.map(\.idPrefix)
            let what = found.map { "'\(gate)' is a \(graph.step($0).kind.rawValue) step, not a gate" } ?? "'\(gate)' is not a gate of \(plan)"
            let list = gates.isEmpty ? "this plan has no gates" : "gates: " + gates.joined(separator: ", ")
            Console.fail(what, hint: NameSuggester.suggest(gate, among: gates).map { "did you mean '\($0)'? (\(list))" } ?? list)
            throw ExitCode.usage
        }
        let lease = try compiled.lock(command: "approve \(plan) \(gate)")
        defer { lease.release() }
        let journal = try compiled.replay()
        if let change = journal.change, change.isRefused {
            Console.error(PlanChangeText(change: change).text)
            throw ExitCode.planInvalid
        }
        if journal.approved.contains(index) {
            Console.out("\(gate) was already approved; continue with `mailshift resume \(plan)`\n")
            return
        }
        // An approval says "I checked what this gate asks": of a gate the run has not reached (or
        // of a plan that never ran) that is a promise about the future, so it must be asked for.
        if journal.status[index] != .waiting && !ahead {
            let where_ = journal.header == nil ? "the plan has not run yet" : "the run has not reached it"
            Console.fail("\(gate) is not waiting for approval: \(where_)",
                hint: "run the plan until it stops at the gate, or approve in advance with --ahead")
            throw ExitCode.usage
        }
        let store = compiled.store
        let header = JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName,
            stepCount: graph.stepCount)
        do {
            if journal.change != nil { try store.rewrite(header: header, records: journal.compactedRecords(for: graph)) }
            try store.beginAppending(header: header)
            let who = approver.map { "\($0) (\(OperatorIdentity.current))" } ?? OperatorIdentity.current
            try store.appendNow([.approved(graph.step(index), by: who, at: LockHolder.now(), comment: comment)])
            store.close()
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
        Console.out("approved \(gate); continue with `mailshift resume \(plan)`\n")
    }
}
