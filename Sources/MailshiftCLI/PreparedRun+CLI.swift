import ArgumentParser
import CommandDriver
import Diagnostics
import Foundation
import Journal
import MigrationRun
import PlanCompiler
import Steps

/// How the commands start: the plan prepared once (`PreparedRun`), its failures printed and
/// turned into exit codes, and the journal's lock and replay with their errors explained.
extension PreparedRun {
    /// Prepares `path`; on failure prints why and throws the matching exit code. Warnings print once.
    static func load(_ path: String, state: String?, users: UserResolution) async throws -> PreparedRun {
        do {
            let prepared = try await PreparedRun.prepare(planAt: path, state: state, users: users, log: { Console.error($0 + "\n") })
            let warnings = prepared.compilation.diagnostics.items.filter { $0.severity >= .warning }
            if !warnings.isEmpty { Console.error(DiagnosticRenderer(sources: prepared.compilation.sources).render(warnings)) }
            return prepared
        } catch {
            switch error {
            case .planInvalid(let result):
                let shown = result.diagnostics.items.filter { $0.severity >= .warning }
                if !shown.isEmpty { Console.error(DiagnosticRenderer(sources: result.sources).render(shown)) }
                throw ExitCode.planInvalid
            case .journal(let error):
                Console.fail(error.description, hint: error.hint)
                throw ExitCode.journalUnavailable
            case .noDirectory(let batch):
                Console.fail("batch \(batch) takes its users from the directory, but the plan has no directory")
                throw ExitCode.planInvalid
            case .search(let batch, let filter, let summary, let hint):
                Console.fail("batch \(batch): searching the directory for \(filter) failed: \(summary)", hint: hint)
                throw ExitCode.stepsFailed
            case .secret, .secretTooShort:
                throw Self.report(error)
            }
        }
    }

    /// The secrets the run must redact, or the reason the run cannot start (exit 1).
    func redactedSecrets() throws -> [String] {
        do {
            return try secrets()
        } catch {
            throw Self.report(error)
        }
    }

    private static func report(_ error: PreparationFailure) -> ExitCode {
        switch error {
        case .secret(let e):
            Console.fail("directory.password: \(e.description)", hint: e.hint)
        case .secretTooShort(let reference, let length):
            Console.fail("directory.password (\(reference)) is \(length) characters long: mailshift needs at "
                + "least \(SecretForms.minimumLength) to keep it out of the journal and the output",
                hint: "give the migration account a longer password")
        default:
            Console.fail("\(error)")
        }
        return ExitCode.planInvalid
    }

    /// One transport for a whole run, so every step to a host shares its ssh master connection.
    /// No child (command, service, ssh master) inherits the variable holding the bind password.
    func transport() -> HostTransport {
        let environment = ChildEnvironment(withholding: secretVariables)
        let ssh = SSHTransport(SSHTransport.Configuration(environment: environment))
        for line in ssh.reapLeftovers() { Console.error("ssh leftovers of an earlier run: \(line)\n") }
        return HostTransport(local: LocalTransport(environment: environment), ssh: ssh)
    }

    /// Journals the searched lists (the caller holds the lock), or explains why it cannot.
    func journalUsers() throws {
        do {
            try journalResolvedUsers()
        } catch {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }

    /// One line per `users_from` batch: its filter, how many users, the first names, and where the list came from.
    var usersSummary: String {
        var out = ""
        for search in searches {
            guard let list = users[search.batch] else {
                out += "batch \(search.batch): users_from \(search.filter): not resolved yet (resolved when the run starts)\n"
                continue
            }
            let origin = unjournaled.contains(search.batch) ? "searched now" : "journaled \(list.time)"
            let shown = list.users.prefix(10).joined(separator: ", ") + (list.users.count > 10 ? ", … (\(list.users.count - 10) more)" : "")
            out += "batch \(search.batch): users_from \(search.filter): \(list.users.count) users (\(origin))"
                + (list.users.isEmpty ? "\n" : ": \(shown)\n")
        }
        return out
    }

    /// Takes the journal's lock or explains who holds it and exits `journalUnavailable`.
    func lock(command: String) throws -> any JournalLease {
        do {
            let lease = try store.acquireLock(command: command)
            if let dead = lease.takenOverFrom {
                Console.error(
                    "warning: the journal's previous holder (\(dead)) ended without releasing it (a crash or kill -9); "
                        + "taking over: finished steps stay finished, interrupted ones are inspected again\n")
            }
            return lease
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint?.replacingOccurrences(of: "PLAN", with: path))
            throw ExitCode.journalUnavailable
        }
    }

    /// Replays the journal onto the graph, printing warnings (a dropped torn record).
    func replay(quiet: Bool = false) throws -> JournalState {
        do {
            let state = try JournalState.load(from: store, for: graph)
            if !quiet { for w in state.warnings { Console.error("warning: \(w)\n") } }
            return state
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }
}
