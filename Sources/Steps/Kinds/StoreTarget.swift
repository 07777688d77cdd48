/// What a store-writing kind writes into: a Maildir path on the store host, or the site's import
/// command there. Shared by mailbox.import, mailbox.verify, saved.import and hold.release.
public struct StoreTarget: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable { case maildir, command }

    public var kind: Kind
    /// A key of `StepGraph.hosts`: the host holding the store (the step's own host holds the source).
    public var host: String
    /// `kind == .maildir`: the Maildir, with `{user}`.
    public var maildir: String?
    /// `kind == .command`: the import argv (`{mbox}`, `{user}`) and the count argv.
    public var importArgv: [String]?
    public var countArgv: [String]?
    /// The account that owns what is written into the store (applied when running as root); every
    /// kind that writes mail into the store honours it, so replayed mail is readable like imported mail.
    public var owner: String?

    public init(
        kind: Kind, host: String, maildir: String? = nil, importArgv: [String]? = nil, countArgv: [String]? = nil, owner: String? = nil
    ) {
        self.kind = kind
        self.host = host
        self.maildir = maildir
        self.importArgv = importArgv
        self.countArgv = countArgv
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey {
        case kind = "store_kind", host = "store_host", maildir, importArgv = "import_argv", countArgv = "count_argv", owner
    }

    public func expanded(_ t: (String) -> String) -> StoreTarget {
        StoreTarget(
            kind: kind, host: host, maildir: maildir.expanded(t), importArgv: importArgv.expanded(t), countArgv: countArgv.expanded(t),
            owner: owner.expanded(t))
    }
}
