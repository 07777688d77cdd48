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
    @Option(name: .long, help: "With --dry-run: save the preview to FILE, for `run PLAN --plan FILE` to apply.")
    var out: String?
    @Option(name: .customLong("plan"), help: "Apply the preview saved in FILE, refusing if the plan or the live systems changed since.")
    var savedPlan: String?
    @OptionGroup var flags: RunFlags

    func validate() throws {
        if !dryRun && (format != .text || detail) { throw ValidationError("--format and --detail describe a preview: add --dry-run") }
        if !dryRun && out != nil { throw ValidationError("--out saves a preview: add --dry-run") }
        if dryRun && savedPlan != nil { throw ValidationError("--plan applies a saved preview: drop --dry-run") }
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
            guard let out else {
                try await invocation.execute(state)
                return
            }
            try await SavedPlanFile(path: out).save(invocation: invocation, state: state)
            return
        }
        let lease = try compiled.lock(command: "run \(plan)")
        defer { lease.release() }
        let state = try compiled.replay()
        if let savedPlan {
            // Checked under the lock, so no other run moves the journal between check and apply.
            try await SavedPlanFile(path: savedPlan).check(
                against: RunInvocation(plan: compiled, flags: flags, mode: .dryRun, session: "dry-run"), state: state)
        }
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
