import Diagnostics
import Foundation
import PlanModel
import Steps
import YAMLSource

/// What compiling a plan produced: a graph when there were no errors, and every diagnostic.
public struct CompilationResult: Sendable {
    public var graph: StepGraph?
    public var diagnostics: DiagnosticList
    /// The plan file → its text, for rendering diagnostics with excerpts. Users files are not
    /// kept: their lines may be secrets, and they may be large.
    public var sources: [String: String]

    public init(graph: StepGraph?, diagnostics: DiagnosticList, sources: [String: String]) {
        self.graph = graph
        self.diagnostics = diagnostics
        self.sources = sources
    }
}

/// A batch whose users come from a directory search when the run starts.
public struct UserSearch: Sendable, Hashable {
    /// The batch's name as declared (before chunking): the key of `resolvedUsers`.
    public var batch: String
    /// The LDAP filter, as written, searched under the directory's `base`.
    public var filter: String

    public init(batch: String, filter: String) {
        self.batch = batch
        self.filter = filter
    }
}

/// The compiler's entry point: load → decode → validate → lower.
public enum Compiler {
    /// Compiles the plan at `path`. `resolvedUsers` supplies, per batch name, the users a
    /// `users_from` directory search found when the run started (journaled, so a resume moves the
    /// same users); batches using `users_from` without an entry compile with no users and a note.
    public static func compile(planAt path: String, resolvedUsers: [String: [String]] = [:]) -> CompilationResult {
        compile(YAMLLoader.load(path: path), path: path, resolvedUsers: resolvedUsers)
    }

    /// Compiles plan text already in memory, as if read from `path` (users files are looked up
    /// next to it). For tests that feed the compiler generated or damaged plans.
    static func compile(text bytes: [UInt8], path: String, resolvedUsers: [String: [String]] = [:]) -> CompilationResult {
        compile(YAMLLoader.load(bytes: bytes, file: path), path: path, resolvedUsers: resolvedUsers)
    }

    private static func compile(_ loaded: YAMLLoadResult, path: String, resolvedUsers: [String: [String]]) -> CompilationResult {
        var sources: [String: String] = [:]
        if !loaded.text.isEmpty { sources[path] = loaded.text }
        var diagnostics = DiagnosticList(loaded.diagnostics)
        guard let document = loaded.document, !diagnostics.hasErrors else {
            return CompilationResult(graph: nil, diagnostics: diagnostics, sources: sources)
        }
        let (decoded, decodeDiagnostics) = PlanDecoder.decode(document)
        diagnostics.append(contentsOf: decodeDiagnostics)
        sources = SecretRedaction.redact(sources, for: diagnostics)
        guard let plan = decoded else { return CompilationResult(graph: nil, diagnostics: diagnostics, sources: sources) }

        let directory = (path as NSString).deletingLastPathComponent
        let roster = UserRoster.build(
            plan: plan, directory: directory.isEmpty ? "." : directory, resolved: resolvedUsers, diagnostics: &diagnostics)
        diagnostics.append(contentsOf: Validator.validate(ValidationInput(plan: plan, roster: roster)))
        guard !diagnostics.hasErrors else { return CompilationResult(graph: nil, diagnostics: diagnostics, sources: sources) }
        guard let context = LoweringContext(plan: plan, roster: roster) else {
            // Validation should have explained any gap; never return "no graph" without a reason.
            diagnostics.append(.incompletePlan())
            return CompilationResult(graph: nil, diagnostics: diagnostics, sources: sources)
        }
        let graph = lower(context)
        let problems = GraphSafetyCheck.check(graph)
        diagnostics.append(contentsOf: problems)
        return CompilationResult(graph: problems.isEmpty ? graph : nil, diagnostics: diagnostics, sources: sources)
    }

    /// The batches of the plan at `path` that take their users from the directory (`users_from`),
    /// for the runner to search before compiling with `resolvedUsers`. Empty if the plan does not load.
    public static func userSearches(planAt path: String) -> [UserSearch] {
        guard let document = YAMLLoader.load(path: path).document, let plan = PlanDecoder.decode(document).plan else { return [] }
        return plan.batches.compactMap { b in
            if case .directory(let filter) = b.users { return UserSearch(batch: b.name.value, filter: filter.value) }
            return nil
        }
    }

    static func lower(_ context: LoweringContext) -> StepGraph {
        var builder = GraphBuilder(context: context)
        switch context.strategy {
        case .simple: SimpleLowering.lower(&builder)
        case .forward: ForwardLowering.lower(&builder)
        case .choke: ChokeLowering.lower(&builder)
        case .proxy: ProxyLowering.lower(&builder)
        }
        return builder.graph()
    }
}
