import SafeFiles

/// One user's pre-copy, while the user is live on the legacy host: import the mailbox (under the
/// spool lock, as the MTA may be delivering), `passes` times (each later pass moves only what
/// arrived during the one before), then record in the ledger every file that is exactly what
/// the import writes for a message of the source as it stands: what the window may later rename
/// or remove. Re-running after a crash rebuilds the same ledger from the same files.
///
/// A pre-copy run again (`mailshift sync` the night before) with the ledger of the one before
/// (`previous`) takes its first pass as the window does, against that ledger: messages deleted
/// since are removed and moved ones renamed, not copied again under their new names (which would
/// leave the old copies outside the new ledger, for verify to find extra). The window is then
/// left only what changed since this pass.
public enum PrecopyPass {
    public static func run(file: String, maildir: String, options: MboxImportOptions, passes: Int, previous: PrecopyLedger? = nil)
        throws -> (report: MboxImportReport, ledger: PrecopyLedger)
    {
        var report: MboxImportReport?
        var imported = 0
        for pass in 0..<max(1, passes) {
            let r = pass == 0 && previous != nil
                ? try PrecopyDelta.run(file: file, maildir: maildir, options: options, ledger: previous).imported
                : try MboxImport.run(file: file, maildir: maildir, options: options)
            imported += r.imported
            report = r
        }
        guard var last = report else { preconditionFailure("at least one pass") }
        last.imported = imported
        // The names read under the lock, so no delivery lands between the read and the listing.
        let lock = options.lock ? try SpoolLock(mbox: file, timeout: options.lockTimeout) : nil
        defer { lock?.unlock() }
        let expected = try SourceNames.read(file, options: options)
        let stored = try StoredNames(maildir: maildir)
        let ledger = PrecopyLedger(names: expected.compactMap { stored.contains($0) ? $0.fileName : nil })
        try ledger.write(maildir: maildir)
        return (last, ledger)
    }
}

/// The file names in a Maildir's `new` and `cur`, by subdirectory.
struct StoredNames {
    var new: Set<String> = []
    var cur: Set<String> = []

    init(maildir: String) throws {
        guard let root = try DirectoryWalk.open(maildir) else { return }
        new = Set(try root.subdirectory("new")?.names() ?? [])
        cur = Set(try root.subdirectory("cur")?.names() ?? [])
    }

    func contains(_ name: MaildirName) -> Bool {
        (name.subdirectory == "cur" ? cur : new).contains(name.fileName)
    }
}
