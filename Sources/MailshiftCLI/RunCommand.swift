import ArgumentParser
import Executor
import Journal
import MigrationRun

/// `mailshift run PLAN [--dry-run] [--parallel N] [--state PATH] [--only BATCH...]`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan (or preview it with --dry-run), recording every step in a durable journal.",
        discussion: """
            Exit codes: 0 done, 1 plan invalid, 2 steps failed, 3 waiting at a gate,
            4 interrupted (resumable), 5 journal locked or unusable.
            """)

    @Argument(help: "The plan file.") var plan: String
    @Flag(name: .long, help: "Only inspect the live systems and print what would change; change nothing.")
    var dryRun = false
    @Option(name: .long, help: "With --dry-run: the preview as text (a per-batch summary) or json (one document, every step).")
    var format: OutputFormat = .text
    @Flag(name: .long, help: "With --dry-run: list every step that would change, with each change.")
    var detail = false
    @OptionGroup var flags: RunFlags

    func validate() throws {
        if !dryRun && (format != .text || detail) { throw ValidationError("--format and --detail describe a preview: add --dry-run") }
    }

    func run() async throws {
        // `users_from` batches are searched now (read-only), for a dry-run as for a run.
        let compiled = try await PreparedRun.load(plan, state: flags.state, users: .searchAll)
        if dryRun {
            // Read-only: no lock, no journal writes; steps the journal says are done are not inspected.
            if format == .text { Console.out(compiled.usersSummary) } else { Console.error(compiled.usersSummary) }
            let state = try compiled.replay()
            var invocation = RunInvocation(plan: compiled, flags: flags, mode: .dryRun, session: "dry-run")
            invocation.preview = PreviewRendering(format: format, detail: detail)
            try await invocation.execute(state)
            return
        }
        let lease = try compiled.lock(command: "run \(plan)")
        defer { lease.release() }
        let state = try compiled.replay()
        if !state.isEmpty && !state.isComplete {
            let done = state.status.filter { $0 == .done }.count
            Console.fail(
                "\(plan) has an unfinished run in \(compiled.store.location) "
                    + "(\(done) of \(compiled.graph.stepCount) steps done)",
                hint: "continue it with `mailshift resume \(plan)`; `mailshift status \(plan)` shows where it stands")
            throw ExitCode.journalUnavailable
        }
        guard !compiled.searches.isEmpty else {
            try await RunInvocation(plan: compiled, flags: flags, mode: .apply, session: "run").execute(state)
            return
        }
        // A new run journals the `users_from` lists it searched before any step runs.
        try compiled.journalUsers()
        Console.error(compiled.usersSummary)
        try await RunInvocation(plan: compiled, flags: flags, mode: .apply, session: "run").execute(try compiled.replay())
    }
}
