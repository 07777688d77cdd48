import Diagnostics
import Glibc
import Steps

/// A file mailshift would not touch, or could not: names the path and what was wrong with it.
///
/// Refusals are permanent: a symbolic link, a hard-linked source or a directory owned by the
/// wrong user is still there on a retry, and following it as root is what an attacker wants.
public struct FileRefusal: StepFailure, Hashable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var hint: String?
    /// The system error behind it (0 when a check, not a call, refused).
    public var errorNumber: Int32

    public init(_ path: String, _ problem: String, hint: String? = nil, errorNumber: Int32 = 0) {
        self.path = path
        self.problem = problem
        self.hint = hint
        self.errorNumber = errorNumber
    }

    /// A failed system call on `path`, from `errno`.
    static func system(_ path: String, _ what: String, _ e: Int32 = errno) -> FileRefusal {
        FileRefusal(path, "\(what): \(String(cString: strerror(e)))", errorNumber: e)
    }

    public static func symbolicLink(_ path: String) -> FileRefusal {
        FileRefusal(
            path, "is a symbolic link; mailshift does not follow links it did not place as root",
            hint: "replace the link by the real directory or file (or remove it), then re-run", errorNumber: ELOOP)
    }

    /// True when the path (or one of its directories) does not exist.
    public var isMissing: Bool { errorNumber == ENOENT }

    public var disposition: FailureDisposition { .permanent }
    public var summary: String { "\(path): \(problem)" }
    public var diagnosticCode: DiagnosticCode { errorNumber == ELOOP ? "file.symbolic-link" : "file.refused" }
    public var subject: RunSubject? { RunSubject(file: path) }
    public var description: String { summary }
}
