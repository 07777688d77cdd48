import ArgumentParser
import Executor
import Journal
import MigrationRun

/// `mailshift resume PLAN`: continue the run recorded in the plan's journal.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue the run recorded in the plan's journal: finished work is not redone.",
        discussion: """
            Steps the journal records as done stay done. A step that started but has no record \
            of finishing is inspected first and applied only if still needed. Failed and skipped \
            steps run again. If the plan changed since, changed steps (and what depends on them) \
            run again, removed steps are listed, and the resume is refused where an irreversible \
            step already ran downstream of a change.
            """)

    @Argument(help: "The plan file.") var plan: String
    @OptionGroup var flags: RunFlags

    func run() async throws {
        // The journaled `users_from` lists stand; a batch new to the plan (or whose filter
        // changed) is searched now and journaled before any step runs.
        let compiled = try await PreparedRun.load(plan, state: flags.state, users: .searchMissing)
        let lease = try compiled.lock(command: "resume \(plan)")
        defer { lease.release() }
        if case .some(.some) = try? compiled.store.readHeader() { try compiled.journalUsers() }
        let state = try compiled.replay()
        guard state.header != nil else {
            Console.fail("no journal in \(compiled.store.location): nothing to resume",
                hint: "start the run with `mailshift run \(plan)`")
            throw ExitCode.journalUnavailable
        }
        if let change = state.change {
            Console.error(PlanChangeText(change: change).text)
            if change.isRefused {
                Console.fail("refusing to resume: the plan changed past a point of no return",
                    hint: "restore the plan's previous definition of those steps, or start over with another --state")
                throw ExitCode.planInvalid
            }
        }
        try await RunInvocation(plan: compiled, flags: flags, mode: .apply, session: "resume").execute(state)
    }
}

/// How a plan change is explained before a resume (and by `status`).
struct PlanChangeText {
    let change: PlanChange

    var text: String {
        var out = "the plan changed since the journal was written (graph \(change.previousFingerprint.prefix(12)) → now):\n"
        out += "  \(change.kept) journaled steps unchanged\n"
        out += list("changed (run again)", change.changed)
        out += list("downstream of a change (run again)", change.invalidated)
        out += list("removed from the plan (left as they are)", change.removed)
        for r in change.refusals { out += "  refused: \(r)\n" }
        return out
    }

    private func list(_ title: String, _ ids: [String]) -> String {
        guard !ids.isEmpty else { return "" }
        var out = "  \(ids.count) \(title):\n"
        for id in ids.prefix(20) { out += "    \(id)\n" }
        if ids.count > 20 { out += "    … and \(ids.count - 20) more\n" }
        return out
    }
}
