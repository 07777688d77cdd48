/// Maildir info flags (`:2,<flags>`), mapped from mbox `Status:`/`X-Status:` headers.
///
/// Mapping (Python's mailbox module, Dovecot mbox.md): R→S (seen), A→R (replied), F→F (flagged),
/// D→T (trashed), T→D (draft). `O` (old, not \Recent) or `R` puts the message in `cur/`.
public struct MaildirFlags: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Flag letters in ASCII order, e.g. `FRS`.
    public private(set) var letters: String
    /// True when the message belongs in `cur/` (seen or old, or any flag to preserve).
    public var old: Bool

    public init(letters: String = "", old: Bool = false) {
        self.letters = String(Set(letters).sorted())
        self.old = old
    }

    /// Adds the flags of a `Status:` value (R, O).
    public mutating func addStatus<S: Sequence>(_ value: S) where S.Element == UInt8 {
        var set = Set(letters)
        for b in value {
            switch b {
            case UInt8(ascii: "R"): set.insert("S"); old = true
            case UInt8(ascii: "O"): old = true
            default: break
            }
        }
        letters = String(set.sorted())
    }

    /// Adds the flags of an `X-Status:` value (A, F, D, T).
    public mutating func addXStatus<S: Sequence>(_ value: S) where S.Element == UInt8 {
        var set = Set(letters)
        for b in value {
            switch b {
            case UInt8(ascii: "A"): set.insert("R")
            case UInt8(ascii: "F"): set.insert("F")
            case UInt8(ascii: "D"): set.insert("T")
            case UInt8(ascii: "T"): set.insert("D")
            default: break
            }
        }
        letters = String(set.sorted())
    }

    /// `cur/` when old or when a flag must be kept (a `new/` name carries no flags).
    public var inCur: Bool { old || !letters.isEmpty }

    public var description: String { letters.isEmpty ? (old ? "old" : "new") : letters }
}
