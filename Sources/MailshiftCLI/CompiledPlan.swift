import ArgumentParser
import Diagnostics
import Foundation
import Journal
import LDAPDriver
import PlanCompiler
import Steps

/// What every executor command starts with: the plan compiled (diagnostics printed on failure),
/// and its journal located (`--state PATH`, or `.mailshift/<plan name>/` beside the plan).
///
/// Batches with `users_from` compile with the user lists the journal recorded when the run
/// started (`ResolvedUsers`), so every command sees the graph the run executes even after the
/// directory changed; `resolvingUsers` searches the directory for the lists still to be made.
struct CompiledPlan {
    let path: String
    let graph: StepGraph
    let store: FileJournalStore
    /// The plan's `users_from` batches.
    let searches: [UserSearch]
    /// The list each of those batches was compiled with (journaled, or searched just now).
    let users: [String: ResolvedUsers]
    /// Batches whose list was searched by this process and is not in the journal yet.
    let unjournaled: [String]

    /// Compiles `path` with the journaled `users_from` lists; on errors prints every diagnostic
    /// and throws `ExitCode.planInvalid`.
    static func load(_ path: String, state: String?) throws -> CompiledPlan {
        // First without users: the plan's name locates the journal that holds the lists.
        let bare = Compiler.compile(planAt: path)
        let searches = Compiler.userSearches(planAt: path)
        guard !searches.isEmpty else { return try make(path, state: state, result: bare, searches: [], users: [:], fresh: []) }
        guard let graph = bare.graph else { return try make(path, state: state, result: bare, searches: [], users: [:], fresh: []) }
        let store = FileJournalStore(directory: state ?? FileJournalStore.defaultDirectory(planPath: path, planName: graph.planName))
        let journaled = try readJournaled(store)
        var users: [String: ResolvedUsers] = [:]
        for search in searches {
            if let list = journaled[search.batch], list.filter == search.filter { users[search.batch] = list }
        }
        return try make(path, state: state, result: Compiler.compile(planAt: path, resolvedUsers: users.mapValues(\.users)),
            searches: searches, users: users, fresh: [])
    }

    /// This plan with each `users_from` batch resolved: `searchAll` searches every one again
    /// (a new run); otherwise only those the journal lacks or whose filter changed (a resume).
    /// A read-only paged search under the directory's base; nothing is written here.
    func resolvingUsers(searchAll: Bool) async throws -> CompiledPlan {
        guard !searches.isEmpty else { return self }
        let journaled = try Self.readJournaled(store)
        var users: [String: ResolvedUsers] = [:]
        var fresh: [String] = []
        for search in searches {
            if !searchAll, let list = journaled[search.batch], list.filter == search.filter {
                users[search.batch] = list
                continue
            }
            guard let directory = graph.directory else {
                Console.fail("batch \(search.batch) takes its users from the directory, but the plan has no directory")
                throw ExitCode.planInvalid
            }
            let found: [String]
            do {
                found = try await DirectoryUserSearch(endpoint: directory, log: { Console.error($0 + "\n") })
                    .users(matching: search.filter)
            } catch let failure as any StepFailure {
                Console.fail("batch \(search.batch): searching the directory for \(search.filter) failed: \(failure.summary)",
                    hint: failure.hint)
                throw ExitCode.stepsFailed
            }
            users[search.batch] = ResolvedUsers(batch: search.batch, filter: search.filter, users: found, time: LockHolder.now())
            fresh.append(search.batch)
        }
        if fresh.isEmpty && !searchAll { return self }
        return try Self.make(path, state: store.directory, result: Compiler.compile(planAt: path, resolvedUsers: users.mapValues(\.users)),
            searches: searches, users: users, fresh: fresh, warnings: false)
    }

    /// Journals the lists searched by this process, durably, before any step runs. The caller
    /// holds the journal's lock. A new journal is bound to this graph; an existing one keeps its
    /// header (the executor rebinds it, keeping the latest list of each batch).
    func journalResolvedUsers() throws {
        guard !unjournaled.isEmpty else { return }
        let header = JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
        do {
            try store.beginAppending(header: header)
            try store.appendNow(unjournaled.compactMap { users[$0]?.record })
            store.close()
        } catch let error as JournalError {
            store.close()
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

    private static func readJournaled(_ store: FileJournalStore) throws -> [String: ResolvedUsers] {
        do {
            return try ResolvedUsers.latest(in: store)
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }

    private static func make(
        _ path: String, state: String?, result: CompilationResult, searches: [UserSearch], users: [String: ResolvedUsers],
        fresh: [String], warnings: Bool = true
    ) throws -> CompiledPlan {
        let renderer = DiagnosticRenderer(sources: result.sources)
        // A recompilation with the searched users prints only errors: the warnings were shown.
        let shown = result.diagnostics.items.filter { $0.severity >= (warnings ? .warning : .error) }
        if !shown.isEmpty { Console.error(renderer.render(shown)) }
        guard let graph = result.graph, !result.diagnostics.items.contains(where: { $0.severity == .error }) else {
            throw ExitCode.planInvalid
        }
        let directory = state ?? FileJournalStore.defaultDirectory(planPath: path, planName: graph.planName)
        return CompiledPlan(path: path, graph: graph, store: FileJournalStore(directory: directory), searches: searches,
            users: users, unjournaled: fresh)
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

    /// Resolved secret values, in every form the executor must never journal or print
    /// (`SecretForms`). A secret that cannot be had safely (a password file others may read, a
    /// password too short to tell from ordinary text) stops the run before it starts.
    var secrets: [String] {
        get throws {
            guard let reference = graph.directory?.password else { return [] }
            let value: String
            do {
                value = try SecretSource.value(of: reference)
            } catch .unset {
                // A plan that never binds can run without it; a bind says so when it needs it.
                return []
            } catch {
                Console.fail("directory.password: \(error.description)", hint: error.hint)
                throw ExitCode.planInvalid
            }
            if value.isEmpty { return [] }
            guard value.count >= SecretForms.minimumLength else {
                Console.fail("directory.password (\(reference)) is \(value.count) characters long: mailshift needs at "
                    + "least \(SecretForms.minimumLength) to keep it out of the journal and the output",
                    hint: "give the migration account a longer password")
                throw ExitCode.planInvalid
            }
            return SecretForms.all(value)
        }
    }

    /// The environment variables that hold the plan's secrets: withheld from every child process.
    var secretVariables: [String] {
        if case .environment(let name)? = graph.directory?.password { return [name] }
        return []
    }
}

/// Writing to the terminal: results on stdout, diagnostics and progress on stderr.
enum Console {
    static func out(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func error(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func fail(_ message: String, hint: String? = nil) {
        var text = "error: \(message)\n"
        if let hint { text += "  hint: \(hint)\n" }
        error(text)
    }
}
