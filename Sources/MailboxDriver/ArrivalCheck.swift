import Steps

/// Tells mail that arrived after the import from a real loss: a verify short only of messages
/// that begin past the end of the file the import read, in the same file, with nothing extra.
/// Anything else (a rewritten, replaced or shrunk mailbox; a message missing from the part the
/// import read; a stray file) stays a plain verify failure for a person to look at.
enum ArrivalCheck {
    static func arrivals(_ report: MailboxVerify.Report, importedIdentity: String?, importStepID: String) -> ArrivalsAfterImport? {
        guard !report.passed, report.extra.isEmpty, !report.missing.isEmpty,
            let imported = importedIdentity.flatMap(SourceIdentity.init), let now = SourceIdentity(report.source),
            imported.inode == now.inode, now.size > imported.size
        else { return nil }
        for m in report.missing {
            guard let offset = offset(m), offset >= imported.size else { return nil }
        }
        return ArrivalsAfterImport(file: report.file, importStepID: importStepID, arrived: report.missing.count)
    }

    /// The offset of a missing entry, `byte <offset>[ digest <d>]`.
    static func offset(_ missing: String) -> Int? {
        let words = missing.split(separator: " ", maxSplits: 2)
        guard words.count >= 2, words[0] == "byte" else { return nil }
        return Int(words[1])
    }
}
