import Journal
import LDAPDriver
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
    /// The bind password cannot be had safely (unset, unreadable, a file others may read).
    case secret(SecretError)
    /// The bind password is too short to keep out of the journal and the output.
    case secretTooShort(SecretReference, length: Int)
}
