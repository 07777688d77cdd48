import Diagnostics
import Steps

/// Entries a `users_from` search found that cannot be used as users (several naming values, or
/// one that is not a portable name). The diagnostics name each entry's DN; as a `StepFailure` it
/// stops the run before anything is journaled, wherever the caller already handles a failed
/// search. Retrying cannot help: the directory must be fixed.
public struct DirectoryUsersRefused: StepFailure, Hashable, CustomStringConvertible {
    public var diagnostics: DiagnosticList

    public var disposition: FailureDisposition { .permanent }

    /// The first problem, and how many more (all of them are in `diagnostics`).
    public var summary: String {
        let errors = diagnostics.errors
        guard let first = errors.first else { return "the directory's entries cannot be used as users" }
        return first.message + (errors.count > 1 ? " (and \(errors.count - 1) more)" : "")
    }

    public var hint: String? { diagnostics.errors.first?.hint }

    public var description: String { summary }
}
