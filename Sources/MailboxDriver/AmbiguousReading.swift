/// How `format: auto` reads a mailbox whose sample cannot tell mboxo from mboxrd: `>From ` lines
/// and no `>>From ` line. mboxo keeps each `>` (the writer escaped nothing it could undo), mboxrd
/// removes one (the writer escaped `From ` lines); the two readings store different bytes, and
/// verify's digest cannot tell them apart, so only the site can say which its MDA wrote.
public enum AmbiguousReading: String, Sendable, Hashable, Codable, CaseIterable {
    /// Stop with an error naming the file (the default: a wrong guess passes verify silently).
    case refuse
    /// Read as mboxo: keep every byte.
    case mboxo
    /// Read as mboxrd: remove one `>` from each `>From ` line.
    case mboxrd

    /// The variant to read with, or nil to refuse.
    var variant: MboxVariant? {
        switch self {
        case .refuse: nil
        case .mboxo: .mboxo
        case .mboxrd: .mboxrd
        }
    }
}
