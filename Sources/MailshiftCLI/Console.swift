import Diagnostics
import Foundation
import Synchronization

/// Writing to the terminal: results on stdout, diagnostics and progress on stderr. A test that
/// runs a command in-process collects what it prints with `Console.transcript(of:)`, so output
/// the test provokes on purpose does not show in the test log as if something had failed.
public enum Console {
    static func out(_ text: String) {
        if let t = transcript { t.append(text) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    /// One JSON document on stdout, keys sorted (stable for tools that diff it).
    static func printJSON<T: Encodable>(_ value: T) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        out(String(decoding: try e.encode(value), as: UTF8.self) + "\n")
    }

    static func error(_ text: String) {
        if let t = transcript { t.append(text) } else { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// An error through the diagnostics renderer, so control characters in names are escaped.
    static func fail(_ message: String, hint: String? = nil) {
        error(DiagnosticRenderer().render(.error("cli.error", message, hint: hint)))
    }

    @TaskLocal static var transcript: Transcript?

    /// Runs `body` with everything the commands print collected instead of written.
    public static func transcript<T: Sendable>(of body: () async throws -> T) async rethrows -> (T, String) {
        let t = Transcript()
        let value = try await $transcript.withValue(t) { try await body() }
        return (value, t.text)
    }

    public final class Transcript: Sendable {
        private let buffer = Mutex("")
        func append(_ s: String) { buffer.withLock { $0 += s } }
        public var text: String { buffer.withLock { $0 } }
    }
}
