import Foundation
import Journal
import LDAPDriver
import PlanCompiler
import Steps

/// Everything a command needs to act on a plan, made with one read of the plan and one lowering:
/// the graph, its journal, the `users_from` lists it was lowered with (journaled, or searched
/// now), and the secrets the run must never journal or print.
///
/// Order of work: read and decode the plan (its name locates the journal), take each
/// `users_from` list from the journal or search the directory for it (read-only, paged), then
/// validate and lower once with those lists.
public struct PreparedRun: Sendable {
    public let path: String
    public let graph: StepGraph
    public let store: FileJournalStore
    /// Diagnostics below the error level (warnings, notes), for the caller to show.
    public let compilation: CompilationResult
    /// The plan's `users_from` batches.
    public let searches: [UserSearch]
    /// The list each of those batches was lowered with.
    public let users: [String: ResolvedUsers]
    /// Batches whose list was searched by this process and is not in the journal yet.
    public let unjournaled: [String]

    public static func prepare(
        planAt path: String, state: String?, users resolution: UserResolution, log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(PreparationFailure) -> PreparedRun {
        let loaded = Compiler.load(planAt: path)
        guard let name = loaded.name, !loaded.diagnostics.hasErrors else { throw .planInvalid(loaded.lower()) }
        let store = FileJournalStore(directory: state ?? FileJournalStore.defaultDirectory(planPath: path, planName: name))
        let searches = loaded.userSearches
        var users: [String: ResolvedUsers] = [:]
        var fresh: [String] = []
        if !searches.isEmpty {
            let journaled: [String: ResolvedUsers]
            do {
                journaled = try ResolvedUsers.latest(in: store)
            } catch let error as JournalError {
                throw .journal(error)
            } catch {
                throw .journal(.unreadable(path: store.location, reason: "\(error)"))
            }
            for search in searches {
                if resolution != .searchAll, let list = journaled[search.batch], list.filter == search.filter {
                    users[search.batch] = list
                } else if resolution != .journaled {
                    users[search.batch] = try await Self.search(search, directory: loaded, log: log)
                    fresh.append(search.batch)
                }
            }
        }
        let result = loaded.lower(resolvedUsers: users.mapValues(\.users))
        guard let graph = result.graph, !result.diagnostics.hasErrors else { throw .planInvalid(result) }
        return PreparedRun(
            path: path, graph: graph, store: store, compilation: result, searches: searches, users: users, unjournaled: fresh)
    }

    private static func search(_ search: UserSearch, directory loaded: LoadedPlan, log: @escaping @Sendable (String) -> Void)
        async throws(PreparationFailure) -> ResolvedUsers
    {
        guard let endpoint = loaded.directoryEndpoint else { throw .noDirectory(batch: search.batch) }
        do {
            let found = try await DirectoryUserSearch(endpoint: endpoint, log: log).users(matching: search.filter)
            return ResolvedUsers(batch: search.batch, filter: search.filter, users: found, time: LockHolder.now())
        } catch let failure as any StepFailure {
            throw .search(batch: search.batch, filter: search.filter, summary: failure.summary, hint: failure.hint)
        } catch {
            throw .search(batch: search.batch, filter: search.filter, summary: "\(error)", hint: nil)
        }
    }

    /// Journals the lists searched by this process, durably, before any step runs. The caller
    /// holds the journal's lock. A new journal is bound to this graph; an existing one keeps its
    /// header (the executor rebinds it, keeping the latest list of each batch).
    public func journalResolvedUsers() throws(JournalError) {
        guard !unjournaled.isEmpty else { return }
        let header = JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
        defer { store.close() }
        do {
            try store.beginAppending(header: header)
            try store.appendNow(unjournaled.compactMap { users[$0]?.record })
        } catch let error as JournalError {
            throw error
        } catch {
            throw .unreadable(path: store.location, reason: "\(error)")
        }
    }

    /// Resolved secret values, in every form the executor must never journal or print
    /// (`SecretForms`). A secret that cannot be had safely (a password file others may read, a
    /// password too short to tell from ordinary text) stops the run before it starts.
    public func secrets() throws(PreparationFailure) -> [String] {
        guard let reference = graph.directory?.password else { return [] }
        let value: String
        do {
            value = try SecretSource.value(of: reference)
        } catch .unset {
            // A plan that never binds can run without it; a bind says so when it needs it.
            return []
        } catch {
            throw .secret(error)
        }
        if value.isEmpty { return [] }
        guard value.count >= SecretForms.minimumLength else { throw .secretTooShort(reference, length: value.count) }
        return SecretForms.all(value)
    }

    /// The environment variables that hold the plan's secrets: withheld from every child process.
    public var secretVariables: [String] {
        if case .environment(let name)? = graph.directory?.password { return [name] }
        return []
    }
}
