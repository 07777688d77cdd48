/// A content fingerprint: the first 128 bits of a SHA-256, as 32 hex characters.
///
/// Fingerprints identify a step's kind and parameters, and a whole step graph; the journal binds
/// its records to them, so a resume can tell a changed step from an unchanged one.
public struct Fingerprint: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public var hex: String

    public init(hex: String) { self.hex = hex }

    /// Fingerprint of fields joined unambiguously (each length-prefixed, so ("ab","c") ≠ ("a","bc")).
    public init(fields: [String]) {
        var h = SHA256()
        for f in fields {
            h.update("\(f.utf8.count):")
            h.update(f)
        }
        self.hex = Array(h.finalize().prefix(16)).hexString
    }

    public var description: String { hex }
    /// The first 12 hex characters, enough for people to compare by eye.
    public var short: String { String(hex.prefix(12)) }

    public static func < (a: Fingerprint, b: Fingerprint) -> Bool { a.hex < b.hex }
}
