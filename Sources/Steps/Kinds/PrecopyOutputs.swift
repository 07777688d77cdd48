/// What a pre-copy step journals besides its import counts: the SHA-256 and size of the ledger
/// it left in the Maildir, which the window's delta checks before trusting it.
public struct PrecopyOutputs: Sendable, Hashable, Codable {
    public var ledgerSHA256: String
    public var ledgerEntries: Int
    public var passes: Int

    public init(ledgerSHA256: String, ledgerEntries: Int, passes: Int) {
        self.ledgerSHA256 = ledgerSHA256
        self.ledgerEntries = ledgerEntries
        self.passes = passes
    }

    enum CodingKeys: String, CodingKey {
        case ledgerSHA256 = "precopy_ledger_sha256", ledgerEntries = "precopy_ledger_entries", passes = "precopy_passes"
    }
}
