import ArgumentParser
import Journal
import MigrationRun
import LDAPDriver
import Steps
import CommandDriver

/// `mailshift rollback PLAN --batch NAME [--dry-run] [--force]`: put a batch's directory values
/// back as they were before its `ldap.set` steps, from the previous values in the journal, then
/// give back delivery held for the batch; first it says what it cannot undo.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore a batch's directory attributes to their values before mailshift changed them.",
        discussion: """
            Says first what it cannot undo (sources archived or deleted, users deleted, mail \
            already in the new store), then shows the changes. It deletes the entries mailshift \
            created for the batch (directory.create), and only those. After the directory it gives back \
            delivery still held for the batch (a choke hold, diverted .forward files). An entry that someone else changed since mailshift wrote it is \
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
        // Said first, and in a dry-run too: what this rollback will not give back.
        let limits = RollbackLimits(batch: b, graph: graph, journal: journal)
        for line in limits.lines { Console.out(line + "\n") }
        let holds = RollbackHolds(batch: b, graph: graph, journal: journal)
        let createSteps = graph.templates.indices
            .filter { graph.templates[$0].kind == .ldapCreate && graph.templates[$0].batch == b }
            .flatMap { graph.steps(ofTemplate: $0) }.filter { journal.outputs[$0] != nil }
        let created = LDAPCreatedEntries(endpoint: directory, steps: createSteps.compactMap { journal.outputs[$0] })
        guard !outputs.isEmpty || !holds.isEmpty || !created.entries.isEmpty else {
            Console.out("batch \(batch): no directory changes or held delivery recorded, nothing to roll back\n")
            return
        }
        do {
            var restored: Int?
            if !outputs.isEmpty {
                restored = try await restoreDirectory(outputs, directory: directory)
                if restored != nil {
                    // The journal says what the directory now says: these steps are pending again,
                    // so `status` shows them and a `resume` applies them anew.
                    try Self.journalRolledBack(steps.filter { journal.outputs[$0] != nil }, compiled: compiled, journal: journal)
                }
            }
            // Entries mailshift created go after their values were restored; only those.
            for line in created.lines { Console.out(line + "\n") }
            // After the directory: held mail released now is routed by the restored values.
            for undo in holds.undos { Console.out(RollbackHolds.line(undo) + "\n") }
            if dryRun { return }
            var deleted = 0
            if !created.entries.isEmpty {
                deleted = try await created.delete(log: { Console.error($0 + "\n") })
                try Self.journalRolledBack(createSteps, compiled: compiled, journal: try compiled.replay(), forgetOutputs: true)
            }
            var undone = 0
            if !holds.isEmpty {
                let transport = compiled.transport()
                let held: [Int]
                do {
                    held = try await holds.apply(
                        graph: graph, journal: journal, runners: DriverRegistry.runners(transport: transport, agentVersion: Mailshift.version))
                } catch {
                    await transport.close()
                    throw error
                }
                await transport.close()
                // Read again: the directory's records may have just been appended (or rewritten).
                // The hold steps' outputs were per-user progress: forgotten, so a resume holds anew.
                try Self.journalRolledBack(held, compiled: compiled, journal: try compiled.replay(), forgetOutputs: true)
                undone = holds.undos.count
            }
            var done: [String] = []
            if let restored { done.append("restored \(restored) entries") }
            if deleted > 0 { done.append("deleted the \(deleted) entries mailshift had created") }
            if undone > 0 { done.append("gave back the held delivery (\(holds.undos.map(\.what).joined(separator: ", ")))") }
            if !done.isEmpty {
                Console.out("batch \(batch): " + done.joined(separator: "; ") + "; those steps are pending again "
                    + "(`mailshift resume \(plan)` would apply them anew)\n")
            }
        } catch let failure as any StepFailure {
            Console.fail(failure.summary, hint: failure.hint)
            throw ExitCode.stepsFailed
        }
    }

    /// Shows and (unless a dry-run) restores the directory values; the number of entries restored,
    /// or nil when nothing was written.
    private func restoreDirectory(_ outputs: [StepOutputs], directory: DirectoryEndpoint) async throws -> Int? {
        let rollback = LDAPRollback(endpoint: directory, log: { Console.error($0 + "\n") })
        let preview = try await rollback.plan(steps: outputs, force: force)
        for change in preview.changes { Console.out(change.line + "\n") }
        for refusal in preview.refusals {
            Console.out("! \(refusal.summary)\(force ? "; restoring anyway (--force)" : "")\n")
        }
        if preview.changes.isEmpty && preview.refusals.isEmpty {
            Console.out("batch \(batch): the directory already has the previous values\n")
            return nil
        }
        if dryRun { return nil }
        if !preview.refusals.isEmpty && !force {
            let n = preview.refusals.count
            let what = n == 1 ? "1 entry was changed since mailshift wrote it" : "\(n) entries were changed since mailshift wrote them"
            Console.fail("\(what); nothing restored",
                         hint: "check them, then `mailshift rollback \(plan) --batch \(batch) --force`")
            throw ExitCode.stepsFailed
        }
        return try await rollback.restore(steps: outputs, force: force).entries.count
    }

    static func journalRolledBack(_ steps: [Int], compiled: PreparedRun, journal: JournalState, forgetOutputs: Bool = false) throws {
        let graph = compiled.graph
        let header = JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
        let who = OperatorIdentity.current
        do {
            if journal.change != nil { try compiled.store.rewrite(header: header, records: journal.compactedRecords(for: graph)) }
            try compiled.store.beginAppending(header: header)
            defer { compiled.store.close() }
            try compiled.store.appendNow(steps.map { .rolledBack(graph.step($0), by: who, at: LockHolder.now(), forgetOutputs: forgetOutputs) })
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }
}
