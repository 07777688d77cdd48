import Diagnostics

/// Masks literal secrets in the source text kept for diagnostic excerpts.
///
/// A plan that writes a password inline gets an error, and that error's excerpt would print the
/// very line holding the password. Safety rule 4 (no secret in a diagnostic) wins: the text the
/// renderer receives has each such value replaced by `*` of the same length, so the caret still
/// lines up.
enum SecretRedaction {
    static let codes: Set<DiagnosticCode> = ["plan.literal-secret"]

    static func redact(_ sources: [String: String], for diagnostics: DiagnosticList) -> [String: String] {
        var out = sources
        for d in diagnostics.items where codes.contains(d.code) {
            guard let r = d.range, let end = r.end, let text = out[r.file] else { continue }
            var bytes = Array(text.utf8)
            let lower = max(0, min(r.start.offset, bytes.count))
            let upper = max(lower, min(end.offset, bytes.count))
            for i in lower..<upper where bytes[i] != 0x0A && bytes[i] != 0x0D && bytes[i] & 0xC0 != 0x80 {
                bytes[i] = UInt8(ascii: "*")
            }
            // Continuation bytes of a masked multi-byte character go too (one `*` per character).
            bytes = bytes.enumerated().filter { i, b in !(i >= lower && i < upper && b & 0xC0 == 0x80) }.map(\.element)
            out[r.file] = String(decoding: bytes, as: UTF8.self)
        }
        return out
    }
}
