import Foundation

/// `mailshift mbox inspect` for one file (also the agent's JSON: add fields, never rename).
public struct MboxInspection: Sendable, Hashable, Codable {
    public var file: String
    public var variant: String
    public var detected: Bool
    public var messages: Int
    public var bytes: Int
    public var firstDate: Int?
    public var lastDate: Int?
    /// Messages per Maildir flag letter, and `new`/`cur`.
    public var flags: [String: Int]
    public var skippedInternal: Int
    public var warningCount: Int
    public var warnings: [String]
    public var source: String
    /// With a Maildir: messages (and bytes) not in it yet.
    public var pending: Int?
    public var pendingBytes: Int?
    /// Detection could not tell mboxo from mboxrd (read as `ifAmbiguous`, mboxo when refused).
    public var ambiguous: Bool?

    /// Reads `file` (read-only); with `maildir`, also counts what an import would add.
    /// Describes rather than refuses: an ambiguous file is read as `ifAmbiguous` says (mboxo when
    /// that is refuse) and reported `ambiguous`; whoever acts on it decides.
    public static func of(
        file: String, variant: MboxVariant, timeZone: TimeZone, maildir: String?, ifAmbiguous: AmbiguousReading = .refuse
    ) throws -> MboxInspection {
        let reader = try MboxReader(
            path: file, variant: variant, timeZone: timeZone, ifAmbiguous: ifAmbiguous == .refuse ? .mboxo : ifAmbiguous)
        var counter = PresenceCounter(existing: maildir.map { MaildirPresence(scanning: $0) } ?? MaildirPresence(), prefix: "m")
        try reader.read(into: &counter)
        let t = counter.tally
        return MboxInspection(
            file: file, variant: reader.variant.rawValue, detected: reader.detected, messages: t.messages, bytes: t.bytes,
            firstDate: t.firstDate, lastDate: t.lastDate, flags: t.flagCounts, skippedInternal: reader.skippedInternal,
            warningCount: reader.warningCount, warnings: reader.warnings.map(\.description), source: reader.identity.description,
            pending: maildir == nil ? nil : counter.pending, pendingBytes: maildir == nil ? nil : counter.pendingBytes,
            ambiguous: reader.ambiguous ? true : nil)
    }
}
