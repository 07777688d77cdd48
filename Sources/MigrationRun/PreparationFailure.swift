import Journal
import PlanCompiler
import Steps

/// Why a run could not be prepared; the CLI decides how each prints and which exit code it gets.
public enum PreparationFailure: Error, Sendable {
    /// The plan has errors (every diagnostic, with the sources to render them).
    case planInvalid(CompilationResult)
    /// The journal cannot be read.
    case journal(JournalError)
    /// A `users_from` batch, but the plan has no directory to search.
    case noDirectory(batch: String)
    /// The directory search for a `users_from` batch failed.
    case search(batch: String, filter: String, summary: String, hint: String?)
}
