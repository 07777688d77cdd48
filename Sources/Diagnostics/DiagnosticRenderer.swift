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

    /// Every piece of text, the file names included, goes through `TerminalSafeText` here, so no
    /// producer has to remember that a name it quotes came from a hostile file or directory.
    public func render(_ d: Diagnostic) -> String {
        var out = ""
        if let r = d.range {
            out += "\(safe(r.description)): "
        } else if let s = d.subject {
            out += "\(safe(s.description)): "
        }
        out += "\(d.severity.rawValue): \(safe(d.message))\n"
        if let r = d.range { out += excerpt(r) }
        // The hint belongs to the diagnostic itself, so it comes before any secondary location.
        if let hint = d.hint { out += "  hint: \(safe(hint))\n" }
        for note in d.notes {
            if let r = note.range { out += "\(safe(r.description)): " }
            out += "note: \(safe(note.message))\n"
            if let r = note.range { out += excerpt(r) }
        }
        return out
    }

    private func safe(_ text: String) -> String { TerminalSafeText.escape(text) }

    /// The source line, then a caret under the start and tildes to the end when on the same line.
    /// Widths are those of the escaped line, so the caret stays under an escaped character.
    func excerpt(_ r: SourceRange) -> String {
        guard let text = sources[r.file], let raw = Self.line(r.start.line, of: text) else { return "" }
        let chars = Array(raw)
        let start = min(max(1, r.start.column) - 1, chars.count)
        // Tabs keep their width so the caret lines up under them.
        let before = TerminalSafeText.escape(String(chars[..<start]), keepTabs: true)
        var marker = before.map { $0 == "\t" ? "\t" : " " }.joined() + "^"
        if let end = r.end, end.line == r.start.line, end.column > start + 2 {
            let stop = min(end.column - 1, chars.count)
            if stop > start {
                let span = TerminalSafeText.escape(String(chars[start..<stop]), keepTabs: true)
                marker += String(repeating: "~", count: span.count - 1)
            }
        }
        return "  \(TerminalSafeText.escape(raw, keepTabs: true))\n  \(marker)\n"
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
