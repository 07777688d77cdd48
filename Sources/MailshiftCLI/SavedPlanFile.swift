import ArgumentParser
import Diagnostics
import Executor
import Foundation
import Journal

/// `run PLAN --dry-run --out FILE` and `run PLAN --plan FILE`: a preview saved, then applied only
/// while the plan and the live systems still match it.
struct SavedPlanFile {
    let path: String

    /// Previews as a dry-run does (printing the same), then saves it, unless the preview met a
    /// problem: a plan that cannot be applied as it stands is not worth saving.
    func save(invocation: RunInvocation, state: JournalState) async throws {
        let found = try await invocation.previewed(state, quiet: false)
        guard var document = found.report.preview?.document() else { throw ExitCode.stepsFailed }
        document.preflight = found.preflight
        try invocation.show(found.report, preflight: found.preflight)
        if !found.report.failures.isEmpty || found.preflight.contains(where: { !$0.ok }) {
            Console.fail("the preview was not saved to \(path): it met the problems above",
                hint: "fix them, then run the dry-run with --out again")
            try invocation.finish(found.report, preflight: found.preflight)
            throw ExitCode.stepsFailed
        }
        let saved = SavedPlan(plan: invocation.plan.path, fingerprint: invocation.plan.graph.fingerprint.hex, created: Date(), preview: document)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            try encoder.encode(saved).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Console.fail("cannot write the saved plan \(path): \(error.localizedDescription)", hint: "choose a writable path for --out")
            throw ExitCode.usage
        }
        guard let t = found.report.preview?.totals else { return }
        Console.error("mailshift: saved this plan to \(path) (\(DryRunPreview.count(t.toChange)) to change, "
            + "\(DryRunPreview.count(t.unknown)) unknown); apply exactly it with `mailshift run \(invocation.plan.path) --plan \(path)`\n")
    }

    /// Refuses (exit 1), naming each difference, unless a fresh preview equals the saved one.
    func check(against invocation: RunInvocation, state: JournalState) async throws {
        let saved = try load()
        let found = try await invocation.previewed(state, quiet: true)
        guard let now = found.report.preview?.document() else { throw ExitCode.stepsFailed }
        var (drift, arrivals) = saved.compare(fingerprint: invocation.plan.graph.fingerprint.hex, now: now)
        for check in found.preflight where !check.ok {
            drift.append(PlanDrift(stepID: nil, saved: "passed", now: "failed", what: "preflight \(check.check): \(check.problems.count) problem\(check.problems.count == 1 ? "" : "s")"))
        }
        guard drift.isEmpty else {
            Console.fail(
                "the saved plan \(path) (made \(saved.created)) no longer matches: \(drift.count) difference\(drift.count == 1 ? "" : "s")",
                hint: "make a new one with `mailshift run \(invocation.plan.path) --dry-run --out \(path)` and review it")
            Self.list(drift)
            throw ExitCode.planInvalid
        }
        Console.error("mailshift: the live systems match the saved plan \(path) (made \(saved.created)); applying it\n")
        if !arrivals.isEmpty {
            Console.error("mailshift: \(arrivals.count) mailbox\(arrivals.count == 1 ? "" : "es") only grew since (new mail); the imports take it in:\n")
            Self.list(arrivals)
        }
    }

    /// One line per difference, the first 20; values read from the directory or a mailbox are
    /// escaped, as anything else printed from them.
    private static func list(_ items: [PlanDrift]) {
        for d in items.prefix(20) { Console.error("  " + TerminalSafeText.escape(d.description) + "\n") }
        if items.count > 20 { Console.error("  … and \(items.count - 20) more\n") }
    }

    private func load() throws -> SavedPlan {
        let saved: SavedPlan
        do {
            saved = try JSONDecoder().decode(SavedPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            Console.fail("cannot read the saved plan \(path): \(error.localizedDescription)",
                hint: "a saved plan is the file `mailshift run PLAN --dry-run --out FILE` wrote")
            throw ExitCode.usage
        }
        guard saved.kind == SavedPlan.kindName, saved.format == 1 else {
            Console.fail("\(path) is not a mailshift saved plan of format 1", hint: "make one with `mailshift run PLAN --dry-run --out FILE`")
            throw ExitCode.usage
        }
        return saved
    }
}
