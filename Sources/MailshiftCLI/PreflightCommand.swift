import ArgumentParser
import MigrationRun
import Steps

/// `mailshift preflight PLAN [--format json]`: before any step runs, what the run would meet
/// halfway (a missing entry, an attribute the schema forbids, a home missing for `.forward`, an
/// ambiguous mailbox, a full store, a program missing on a host), every case listed. Read-only.
struct PreflightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Check the live systems for what the run would fail on, before any step runs (read-only).",
        discussion: "Exit codes: 0 every check passed, 1 plan invalid, 2 a check found problems. The dry-run runs it too.")

    @Argument(help: "The plan file.") var plan: String
    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).") var state: String?
    @Option(name: .long, help: "What to print: text or json.") var format: OutputFormat = .text

    func run() async throws {
        let prepared = try await PreparedRun.load(plan, state: state, users: .searchAll)
        let journal = try prepared.replay()
        let transport = prepared.transport()
        let checks = await Preflight(graph: prepared.graph, transport: transport, agentVersion: Mailshift.version).run { journal.status[$0] != .done }
        await transport.close()
        if format == .json {
            // The dry-run document's `preflight` member, on its own.
            struct Document: Encodable {
                var format = 1
                var preflight: [PreflightCheck]
            }
            try Console.printJSON(Document(preflight: checks))
        } else {
            Console.out(PreflightText(checks: checks).text)
        }
        if checks.contains(where: { !$0.ok }) { throw ExitCode.stepsFailed }
    }
}
