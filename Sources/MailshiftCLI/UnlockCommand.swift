import ArgumentParser
import Journal
import MigrationRun

/// `mailshift unlock PLAN [--force]`: explain a journal lock, and break it if its holder is dead.
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Explain who holds a plan's journal lock; with --force, break it if that executor is gone.",
        discussion: """
            A lock whose holder still runs is never broken: stop that executor instead (Ctrl-C
            leaves a resumable journal). A lock left by a crashed or killed executor on this host
            is broken with --force; one held from another host is broken with --force only after
            you have checked that nothing runs there.
            """)

    @Argument(help: "The plan file.") var plan: String
    @Flag(name: .long, help: "Break the lock if its holder is not running.") var force = false
    @Option(name: .long, help: "The journal's directory (default: .mailshift/NAME by the plan).")
    var state: String?

    func run() async throws {
        let compiled = try await PreparedRun.load(plan, state: state, users: .journaled)
        let store = compiled.store
        let status: (LockHolder, LockHolder.Liveness)?
        do {
            status = try store.lockStatus()
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
        guard let (holder, liveness) = status else {
            Console.out("\(store.lockPath) is not locked\n")
            return
        }
        switch liveness {
        case .alive: Console.out("locked by a running executor: \(holder)\n")
        case .dead: Console.out("locked by an executor that is no longer running: \(holder)\n")
        case .unknown: Console.out("locked from another host (this host cannot tell if it runs): \(holder)\n")
        }
        guard force else {
            if liveness != .alive {
                Console.out("break it with `mailshift unlock \(plan) --force`; `mailshift resume \(plan)` then continues\n")
            }
            throw ExitCode.journalUnavailable
        }
        do {
            _ = try store.breakLock()
            Console.out("lock broken; continue with `mailshift resume \(plan)`\n")
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }
}
