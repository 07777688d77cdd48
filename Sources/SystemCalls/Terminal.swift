import Glibc

/// Whether output goes to a person.
public enum Terminal {
    /// `isatty(2)` of standard error.
    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
