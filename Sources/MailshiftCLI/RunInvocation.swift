import Diagnostics
import ArgumentParser
import Executor
import Foundation
import Journal
import MigrationRun
import CommandDriver
import Steps

/// Options `run` and `resume` share.
struct RunFlags: ParsableArguments {
    @Option(name: .long, help: "Run at most N steps at once (default: the plan's policy.parallel).")
    var parallel: Int?

    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).")
    var state: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Run only these batches (and what they depend on).")
    var only: [String] = []

    @Option(name: .long, help: "Progress output: text (a live line per batch on a terminal) or json.")
    var logFormat: LogFormat = .text

    func validate() throws {
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
    }
}

/// How a dry-run's preview prints: a text summary (or every step with `detail`), or JSON.
struct PreviewRendering {
    var format: OutputFormat = .text
    var detail = false
}

/// Runs the executor for `run` and `resume`: signals, progress, the summary and the exit code.
struct RunInvocation {
    let plan: PreparedRun
    let flags: RunFlags
    let mode: RunOptions.Mode
    let session: String
    /// How a dry-run prints its preview.
    var preview = PreviewRendering()

    func execute(_ state: JournalState) async throws {
        if mode == .dryRun {
            let found = try await previewed(state, quiet: false)
            try show(found.report, preflight: found.preflight)
            try finish(found.report, preflight: found.preflight)
            return
        }
        let report = try await executed(state, transport: plan.transport())
        try show(report, preflight: [])
        try finish(report, preflight: [])
    }

    /// A dry-run: preflight, then the executor's preview. `quiet` prints nothing (a saved plan's
    /// re-check compares instead).
    func previewed(_ state: JournalState, quiet: Bool) async throws -> (report: RunReport, preflight: [PreflightCheck]) {
        let transport = plan.transport()
        let preflight = await Preflight(graph: plan.graph, transport: transport, agentVersion: Mailshift.version).run { state.status[$0] != .done }
        if !quiet && preview.format == .text { Console.out(PreflightText(checks: preflight).text) }
        return (try await executed(state, transport: transport), preflight)
    }

    /// Runs the executor over `transport` (closed after), with signals and progress.
    private func executed(_ state: JournalState, transport: HostTransport) async throws -> RunReport {
        let unknownBatches = flags.only.filter { name in !plan.graph.batches.contains { $0.name == name } }
        if !unknownBatches.isEmpty {
            Console.fail("unknown batch \(unknownBatches.map { "'\($0)'" }.joined(separator: ", ")) in --only",
                hint: "batches: " + plan.graph.batches.map(\.name).joined(separator: ", "))
            throw ExitCode.usage
        }
        let control = RunControl()
        let printer = ProgressPrinter(format: flags.logFormat)
        let trap = SignalTrap(control: control) { _, second in
            Console.error(second
                ? "\nmailshift: cancelling running steps\n"
                : "\nmailshift: stopping: no new steps; letting running ones finish (again to cancel them)\n")
        }
        defer { trap.cancel() }
        let options = RunOptions(
            mode: mode, parallel: flags.parallel, onlyBatches: Set(flags.only), sessionName: session,
            secrets: try plan.redactedSecrets())
        let executor = Executor(
            graph: plan.graph, store: plan.store, runners: DriverRegistry.runners(transport: transport, agentVersion: Mailshift.version), options: options,
            observer: printer, control: control)
        let outcome: Result<RunReport, any Error>
        do {
            outcome = .success(try await executor.run(from: state))
        } catch {
            outcome = .failure(error)
        }
        await transport.close()
        printer.finish()
        do {
            return try outcome.get()
        } catch let error as ExecutorError {
            Console.fail(error.description, hint: error.hint)
            if case .pastPointOfNoReturn = error { throw ExitCode.planInvalid }
            throw ExitCode.journalUnavailable
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }

    /// The preview (text or JSON) or the run's summary.
    func show(_ report: RunReport, preflight: [PreflightCheck]) throws {
        if mode == .dryRun, preview.format == .json, var document = report.preview?.document() {
            document.preflight = preflight
            try Console.printJSON(document)
        } else {
            Console.out(RunSummary(report: report, planPath: plan.path, dryRun: mode == .dryRun, detail: preview.detail).text)
        }
    }

    /// The exit code for how the run (or preview) ended.
    func finish(_ report: RunReport, preflight: [PreflightCheck]) throws {
        // A preflight problem is a failure the run would meet: the preview says so in its exit code.
        if mode == .dryRun && preflight.contains(where: { !$0.ok }) && report.outcome == .completed { throw ExitCode.stepsFailed }
        switch report.outcome {
        case .completed: return
        case .failed: throw ExitCode.stepsFailed
        case .awaitingApproval: throw ExitCode.awaitingApproval
        case .interrupted: throw ExitCode.interrupted
        }
    }
}

/// The text printed when a run ends.
struct RunSummary {
    let report: RunReport
    let planPath: String
    let dryRun: Bool
    var detail = false

    var text: String {
        if dryRun, let preview = report.preview {
            guard !report.failures.isEmpty else { return preview.render(detail: detail) }
            return preview.render(detail: detail)
                + "mailshift: \(DryRunPreview.count(report.failures.count)) steps could not be inspected "
                + "(the 'cannot inspect' lines above); fix their causes before running\n"
        }
        var out = ""
        let r = report
        let word: String
        switch r.outcome {
        case .completed: word = "completed"
        case .failed: word = "finished with failures"
        case .awaitingApproval: word = "stopped at a gate"
        case .interrupted: word = "interrupted"
        }
        out += "mailshift: run \(word): \(DryRunPreview.count(r.applied)) steps applied, "
            + "\(DryRunPreview.count(r.alreadyDone)) found already done, in \(String(format: "%.1f", r.seconds)) s\n"
        out += DiagnosticRenderer().render(r.failures.map(\.diagnostic))
        if r.skipped > 0 { out += "skipped: \(DryRunPreview.count(r.skipped)) steps that depend on the failures above\n" }
        for (batch, users) in r.setAside.sorted(by: { $0.key < $1.key }) {
            let names = users.sorted()
            out += "batch \(batch): \(DryRunPreview.count(names.count)) set aside, the rest went on: "
                + names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", …" : "") + "\n"
        }
        for b in r.stoppedBatches {
            out += "batch \(b.batch) stopped: \(b.failures) failures, more than max_failures \(b.limit)\n"
        }
        for g in r.gates {
            out += "waiting at gate \(g.stepID): \(g.message)\n"
            out += "  approve with `mailshift approve \(planPath) \(g.stepID)`, then `mailshift resume \(planPath)`\n"
        }
        if r.outcome == .interrupted {
            out += "\(DryRunPreview.count(r.notRun)) steps not run; continue with `mailshift resume \(planPath)`\n"
        } else if r.outcome == .failed {
            out += "fix the causes, then `mailshift resume \(planPath)` runs the failed steps and what they blocked\n"
        }
        return out
    }
}
