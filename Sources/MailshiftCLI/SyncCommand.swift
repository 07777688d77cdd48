import ArgumentParser
import Executor
import Foundation
import Journal
import MigrationRun
import Steps

/// `mailshift sync PLAN --batch B`: run (again) the pre-copy of a batch's users while they are
/// live, days ahead of the window; each pass leaves less for the window to move. Journals each
/// user's pre-copy as done, so the run that opens the window takes the delta from there.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pre-copy a batch's mailboxes while its users are live (a plan with precopy).",
        discussion: "Safe to repeat: each pass imports only what arrived since. Refused once the batch's window has opened.")

    @Argument(help: "The plan file.") var plan: String
    @Option(name: .long, help: "The batch to pre-copy.") var batch: String
    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).")
    var state: String?

    func run() async throws {
        let compiled = try await PreparedRun.load(plan, state: state, users: .journaled)
        let graph = compiled.graph
        guard let b = graph.batches.firstIndex(where: { $0.name == batch }) else {
            Console.fail("unknown batch '\(batch)'", hint: "batches: " + graph.batches.map(\.name).joined(separator: ", "))
            throw ExitCode.usage
        }
        guard let pre = graph.templates.indices.first(where: { graph.templates[$0].idPrefix == "\(batch)/precopy" }) else {
            Console.fail("batch '\(batch)' has no pre-copy", hint: "add precopy: true under policy: (or to the batch)")
            throw ExitCode.usage
        }
        let lease = try compiled.lock(command: "sync \(plan) --batch \(batch)")
        defer { lease.release() }
        let journal = try compiled.replay()
        if let change = journal.change, change.isRefused {
            Console.error(PlanChangeText(change: change).text)
            throw ExitCode.planInvalid
        }
        if let opened = Self.windowStep(graph, journal, batch: b) {
            Console.fail("batch '\(batch)' is already in its window (\(graph.stepID(opened)) has run)",
                hint: "`mailshift resume \(plan)` finishes it; the window's import moves the delta")
            throw ExitCode.usage
        }
        let store = compiled.store
        let header = JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
        let transport = compiled.transport()
        defer { Task { await transport.close() } }
        let runner = DriverRegistry.runners(transport: transport, agentVersion: Mailshift.version)(.mailboxImport)
        guard let runner else { throw ExitCode.usage }
        var failed = 0
        do {
            if journal.change != nil { try store.rewrite(header: header, records: journal.compactedRecords(for: graph)) }
            try store.beginAppending(header: header)
            defer { store.close() }
            let outputs = journal.outputs
            let locator = StepLocator(graph: graph)
            for i in graph.steps(ofTemplate: pre) {
                let step = graph.step(i)
                let context = StepContext(
                    dryRun: false, hosts: graph.hosts, previousOutputs: outputs[i],
                    outputs: { id in locator.index(of: id).flatMap { outputs[$0] } },
                    log: { Console.error("\(step.id): \($0)\n") })
                do {
                    try store.appendNow([.started(step, attempt: 1)])
                    let o = try await runner.apply(step, context: context)
                    try store.appendNow([.done(step, how: "synced", outputs: o, at: CompletionTime.now())])
                    Console.out("\(step.id): \(o["imported"] ?? "0") messages copied\n")
                } catch let error as JournalError {
                    throw error
                } catch {
                    failed += 1
                    let note = FailureNote(stepID: step.id, host: step.host?.name, user: step.user, error: error)
                    try store.appendNow([.failed(step, note)])
                    Console.fail("\(step.id): \(note.summary)")
                }
            }
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
        if failed > 0 { throw ExitCode.stepsFailed }
        Console.out("pre-copy of batch \(batch) done; `mailshift resume \(plan)` opens the window and moves the delta\n")
    }

    /// A step of the batch past its pre-copy that has begun: the window is open (or over).
    static func windowStep(_ graph: StepGraph, _ journal: JournalState, batch b: Int) -> Int? {
        for (t, template) in graph.templates.enumerated() where template.batch == b {
            let name = DowntimeWindows.stepName(template.idPrefix)
            guard name != "precopy", name != "approve" else { continue }
            for i in graph.steps(ofTemplate: t) where journal.status[i] != .pending { return i }
        }
        return nil
    }
}
