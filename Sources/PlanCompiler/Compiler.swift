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

/// A plan read, decoded and checked as far as it can be without its `users_from` lists: what a
/// run holds from the start. `lower(resolvedUsers:)` finishes the compilation once those lists
/// are known, so a run reads and decodes its plan once and lowers it once.
public struct LoadedPlan: Sendable {
    public let path: String
    /// The decoded plan; nil when the file did not load or decode (the diagnostics say why).
    public let plan: Plan?
    /// Load and decode diagnostics.
    public let diagnostics: DiagnosticList
    public let sources: [String: String]

    /// The plan's name (the journal is located by it); nil when the plan did not decode.
    public var name: String? { plan.map { $0.name?.value ?? "" } }

    /// How to reach the plan's directory (for the `users_from` searches made before lowering).
    public var directoryEndpoint: DirectoryEndpoint? { plan?.directory.map(Endpoints.directory) }

    /// The batches that take their users from the directory when the run starts.
    public var userSearches: [UserSearch] {
        (plan?.batches ?? []).compactMap { b in
            if case .directory(let filter) = b.users { return UserSearch(batch: b.name.value, filter: filter.value) }
            return nil
        }
    }

    /// Validates and lowers the plan. `resolvedUsers` supplies, per batch name, the users a
    /// `users_from` search found when the run started (journaled, so a resume moves the same
    /// users); batches using `users_from` without an entry compile with no users and a note.
    public func lower(resolvedUsers: [String: [String]] = [:]) -> CompilationResult {
        var diagnostics = diagnostics
        let sources = sources
        guard let plan else { return CompilationResult(graph: nil, diagnostics: diagnostics, sources: sources) }
        CompileTrace.note("lower", path)
        let directory = (path as NSString).deletingLastPathComponent
        let roster = UserRoster.build(
            plan: plan, directory: directory.isEmpty ? "." : directory, resolved: resolvedUsers, diagnostics: &diagnostics)
        let groups = GroupRoster.build(plan: plan, roster: roster, directory: directory.isEmpty ? "." : directory, diagnostics: &diagnostics)
        let createRows = CreateRows.build(plan: plan, directory: directory.isEmpty ? "." : directory, diagnostics: &diagnostics)
        diagnostics.append(contentsOf: Validator.validate(ValidationInput(plan: plan, roster: roster, createColumns: createRows?.rows.columns)))
        guard !diagnostics.hasErrors else { return CompilationResult(graph: nil, diagnostics: diagnostics, sources: sources) }
        guard var context = LoweringContext(plan: plan, roster: roster) else {
            // Validation should have explained any gap; never return "no graph" without a reason.
            diagnostics.append(.incompletePlan())
            return CompilationResult(graph: nil, diagnostics: diagnostics, sources: sources)
        }
        context.groups = groups.byBatch
        context.createRows = createRows
        let graph = Compiler.lower(context)
        let problems = GraphSafetyCheck.check(graph)
        diagnostics.append(contentsOf: problems)
        return CompilationResult(graph: problems.isEmpty ? graph : nil, diagnostics: diagnostics, sources: sources)
    }
}

/// The compiler's entry point: load → decode → validate → lower.
public enum Compiler {
    /// Reads and decodes the plan at `path` (`LoadedPlan.lower` validates and lowers it).
    public static func load(planAt path: String) -> LoadedPlan {
        load(YAMLLoader.load(path: path), path: path)
    }

    /// Compiles the plan at `path` in one go (`check`, `graph`, tests).
    public static func compile(planAt path: String, resolvedUsers: [String: [String]] = [:]) -> CompilationResult {
        load(planAt: path).lower(resolvedUsers: resolvedUsers)
    }

    /// Compiles plan text already in memory, as if read from `path` (users files are looked up
    /// next to it). For tests that feed the compiler generated or damaged plans.
    static func compile(text bytes: [UInt8], path: String, resolvedUsers: [String: [String]] = [:]) -> CompilationResult {
        load(YAMLLoader.load(bytes: bytes, file: path), path: path).lower(resolvedUsers: resolvedUsers)
    }

    private static func load(_ loaded: YAMLLoadResult, path: String) -> LoadedPlan {
        CompileTrace.note("load", path)
        var sources: [String: String] = [:]
        if !loaded.text.isEmpty { sources[path] = loaded.text }
        var diagnostics = DiagnosticList(loaded.diagnostics)
        guard let document = loaded.document, !diagnostics.hasErrors else {
            return LoadedPlan(path: path, plan: nil, diagnostics: diagnostics, sources: sources)
        }
        let (decoded, decodeDiagnostics) = PlanDecoder.decode(document)
        diagnostics.append(contentsOf: decodeDiagnostics)
        sources = SecretRedaction.redact(sources, for: diagnostics)
        return LoadedPlan(path: path, plan: decoded, diagnostics: diagnostics, sources: sources)
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

/// `MAILSHIFT_COMPILE_TRACE=1` prints one line per load and per lowering to stderr, so a test can
/// count how often a command compiles its plan (a run must do each once).
enum CompileTrace {
    static let enabled = ProcessInfo.processInfo.environment["MAILSHIFT_COMPILE_TRACE"] == "1"

    static func note(_ stage: String, _ path: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("mailshift-trace: \(stage) \(path)\n".utf8))
    }
}
