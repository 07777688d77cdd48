import Diagnostics
import Steps

/// What compiling a plan produced: a graph when there were no errors, and every diagnostic.
public struct CompilationResult: Sendable {
    public var graph: StepGraph?
    public var diagnostics: DiagnosticList
    /// Each file read (plan, users files) → its text, for rendering diagnostics with excerpts.
    public var sources: [String: String]

    public init(graph: StepGraph?, diagnostics: DiagnosticList, sources: [String: String]) {
        self.graph = graph
        self.diagnostics = diagnostics
        self.sources = sources
    }
}

/// The compiler's entry point: load → decode → validate → lower.
public enum Compiler {
    /// Compiles the plan at `path`. `resolvedUsers` supplies, per batch name, the users a
    /// `users_from` directory search found when the run started (journaled, so a resume moves the
    /// same users); batches using `users_from` without an entry compile with no users and a note.
    public static func compile(planAt path: String, resolvedUsers: [String: [String]] = [:]) -> CompilationResult {
        // Placeholder until issue 2 lands.
        CompilationResult(
            graph: nil,
            diagnostics: DiagnosticList([.error("compiler.unavailable", "the plan compiler is not built yet")]),
            sources: [:])
    }
}
