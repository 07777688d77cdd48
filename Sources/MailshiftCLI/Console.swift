import Diagnostics
import Foundation

/// Writing to the terminal: results on stdout, diagnostics and progress on stderr.
enum Console {
    static func out(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func error(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    /// An error through the diagnostics renderer, so control characters in names are escaped.
    static func fail(_ message: String, hint: String? = nil) {
        error(DiagnosticRenderer().render(.error("cli.error", message, hint: hint)))
    }
}
