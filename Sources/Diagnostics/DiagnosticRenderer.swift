/// Renders diagnostics as text the way compilers do:
///
///     plan.yaml:12:7: error: unknown host 'stor1'
///       hosts: [stor1]
///               ^~~~~
///     hint: did you mean 'store1'?
///
/// The renderer is pure: the caller supplies each file's text, so tests pin the exact output.
public struct DiagnosticRenderer: Sendable {
    /// File name → its full text, for the source-line excerpt. Missing files print no excerpt.
    public var sources: [String: String]

    public init(sources: [String: String] = [:]) { self.sources = sources }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }

    public func render(_ d: Diagnostic) -> String {
        var out = ""
        if let r = d.range { out += "\(r.description): " }
        out += "\(d.severity.rawValue): \(d.message)\n"
        if let r = d.range { out += excerpt(r) }
        // The hint belongs to the diagnostic itself, so it comes before any secondary location.
        if let hint = d.hint { out += "  hint: \(hint)\n" }
        for note in d.notes {
            if let r = note.range { out += "\(r.description): " }
            out += "note: \(note.message)\n"
            if let r = note.range { out += excerpt(r) }
        }
        return out
    }

    /// The source line, then a caret under the start and tildes to the end when on the same line.
    func excerpt(_ r: SourceRange) -> String {
        guard let text = sources[r.file], let line = Self.line(r.start.line, of: text) else { return "" }
        let caretColumn = max(1, r.start.column)
        var marker = String(repeating: " ", count: caretColumn - 1) + "^"
        if let end = r.end, end.line == r.start.line, end.column > caretColumn + 1 {
            marker += String(repeating: "~", count: min(end.column - caretColumn - 1, max(0, line.count - caretColumn)))
        }
        // Tabs keep their width so the caret lines up under them.
        let prefix = line.prefix(caretColumn - 1).map { $0 == "\t" ? "\t" : " " }.joined()
        marker = prefix + String(marker.dropFirst(caretColumn - 1))
        return "  \(line)\n  \(marker)\n"
    }

    /// Line `number` (1-based) without its terminator. Scans UTF-8 bytes: fast on large files,
    /// and a CRLF line ends before its `\r` (as a Character, "\r\n" is one grapheme and never
    /// equals "\n").
    static func line(_ number: Int, of text: String) -> String? {
        let u = text.utf8
        var n = 1
        var start = u.startIndex
        while n < number {
            guard let nl = u[start...].firstIndex(of: 0x0A) else { return nil }
            start = u.index(after: nl)
            n += 1
        }
        var end = u[start...].firstIndex(of: 0x0A) ?? u.endIndex
        if end > start, u[u.index(before: end)] == 0x0D { end = u.index(before: end) }
        return String(text[start..<end])
    }
}
