import ArgumentParser
import Journal
import MigrationRun
import LDAPDriver
import Steps

/// `mailshift rollback PLAN --batch NAME [--dry-run] [--force]`: put a batch's directory values
/// back as they were before its `ldap.set` steps, from the previous values in the journal.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore a batch's directory attributes to their values before mailshift changed them.",
        discussion: """
            Shows the changes first. An entry that someone else changed since mailshift wrote it is \
            refused, and nothing is written while any entry is refused; --force overwrites such \
            entries too. Entries already back at their previous values are left alone, so a \
            rollback can be repeated. It takes the journal's lock: no run may be going on.
            """)

    @Argument(help: "The plan file.") var plan: String
    @Option(name: .long, help: "The batch whose directory changes to undo.") var batch: String
    @Flag(name: .long, help: "Show what would change, change nothing.") var dryRun = false
    @Flag(name: .long, help: "Also restore entries changed by someone else since.") var force = false
    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).")
    var state: String?

    func run() async throws {
        let compiled = try await PreparedRun.load(plan, state: state, users: .journaled)
        let graph = compiled.graph
        guard let b = graph.batches.firstIndex(where: { $0.name == batch }) else {
            let names = graph.batches.map(\.name).joined(separator: ", ")
            throw ValidationError("the plan has no batch '\(batch)' (batches: \(names))")
        }
        guard let directory = graph.directory else {
            Console.fail("the plan has no directory section: nothing to roll back")
            throw ExitCode.planInvalid
        }
        // A rollback must not race a run of the same plan: take the journal's lock to write.
        let lease = dryRun ? nil : try compiled.lock(command: "rollback \(plan) --batch \(batch)")
        defer { lease?.release() }
        let journal = try compiled.replay()
        // The batch's ldap.set steps in the order they ran (templates are lowered in order).
        let steps = graph.templates.indices
            .filter { graph.templates[$0].kind == .ldapSet && graph.templates[$0].batch == b }
            .flatMap { graph.steps(ofTemplate: $0) }
        let outputs = steps.compactMap { journal.outputs[$0] }
        guard !outputs.isEmpty else {
            Console.out("batch \(batch): no directory changes recorded, nothing to roll back\n")
            return
        }
        let rollback = LDAPRollback(endpoint: directory, log: { Console.error($0 + "\n") })
        do {
            let preview = try await rollback.plan(steps: outputs, force: force)
            for change in preview.changes { Console.out(change.line + "\n") }
            for refusal in preview.refusals {
                Console.out("! \(refusal.summary)\(force ? "; restoring anyway (--force)" : "")\n")
            }
            if preview.changes.isEmpty && preview.refusals.isEmpty {
                Console.out("batch \(batch): the directory already has the previous values\n")
                return
            }
            if dryRun { return }
            if !preview.refusals.isEmpty && !force {
                let n = preview.refusals.count
                let what = n == 1 ? "1 entry was changed since mailshift wrote it" : "\(n) entries were changed since mailshift wrote them"
                Console.fail("\(what); nothing restored",
                             hint: "check them, then `mailshift rollback \(plan) --batch \(batch) --force`")
                throw ExitCode.stepsFailed
            }
            let done = try await rollback.restore(steps: outputs, force: force)
            // The journal says what the directory now says: these steps are pending again, so
            // `status` shows them and a `resume` applies them anew.
            try Self.journalRolledBack(steps.filter { journal.outputs[$0] != nil }, compiled: compiled, journal: journal)
            Console.out("batch \(batch): restored \(done.entries.count) entries; its directory steps are pending again "
                + "(`mailshift resume \(plan)` would apply them anew)\n")
        } catch let failure as any StepFailure {
            Console.fail(failure.summary, hint: failure.hint)
            throw ExitCode.stepsFailed
        }
    }

    static func journalRolledBack(_ steps: [Int], compiled: PreparedRun, journal: JournalState) throws {
        let graph = compiled.graph
        let header = JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
        let who = OperatorIdentity.current
        do {
            if journal.change != nil { try compiled.store.rewrite(header: header, records: journal.compactedRecords(for: graph)) }
            try compiled.store.beginAppending(header: header)
            defer { compiled.store.close() }
            try compiled.store.appendNow(steps.map { .rolledBack(graph.step($0), by: who, at: LockHolder.now()) })
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }
}
