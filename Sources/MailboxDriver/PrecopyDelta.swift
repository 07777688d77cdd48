import Glibc
import SafeFiles

/// What the window's delta did to the store before importing what is new.
public struct PrecopyDeltaReport: Sendable, Hashable, Codable {
    /// Files removed: their message was deleted on the legacy host since the pre-copy.
    public var removed = 0
    /// Files renamed to their message's new tag: a message that moved in the mailbox (one
    /// before it was expunged, the file compacted) is kept, not copied again.
    public var renamed = 0
    /// Files renamed for new flags (Status / X-Status changed on the legacy host).
    public var flagged = 0
    /// Files left as they are because they changed in the new store since the pre-copy (or the
    /// ledger could not be trusted): verify reports any that no longer match the source.
    public var kept = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case removed = "delta_removed", renamed = "delta_renamed", flagged = "delta_flagged", kept = "delta_kept"
    }
}

/// The window's side of a pre-copy: reconcile the store with the mailbox as it stands now, message
/// by message, touching only files the ledger says mailshift wrote and no one renamed since; the
/// import that follows then stores only messages that are new. Re-running after a crash finds
/// the renames and removals done (the renamed files carry their final names).
public enum PrecopyDelta {
    public static func reconcile(file: String, maildir: String, options: MboxImportOptions, ledger: PrecopyLedger?)
        throws -> PrecopyDeltaReport
    {
        var report = PrecopyDeltaReport()
        let lock = options.lock ? try SpoolLock(mbox: file, timeout: options.lockTimeout) : nil
        defer { lock?.unlock() }
        let expected = try SourceNames.read(file, options: options)
        guard let root = try DirectoryWalk.open(maildir) else { return report }
        var dirs: [String: DirectoryHandle] = [:]
        for sub in ["new", "cur"] { dirs[sub] = try root.subdirectory(sub) }

        // Our files by tag; for tags no message has now, by digest (moved or deleted messages).
        var byTag: [String: StoredFile] = [:]
        for (sub, dir) in dirs {
            for n in try dir.names() {
                guard let name = MaildirName(fileName: n), MessageTag.isOurs(name.tag, prefix: options.tagPrefix) else { continue }
                byTag[name.tag] = StoredFile(subdirectory: sub, name: name)
            }
        }
        let current = Set(expected.map(\.tag))
        var orphans: [String: [StoredFile]] = [:]
        for (tag, f) in byTag where !current.contains(tag) {
            if ledger?.contains(f.name.fileName) == true {
                orphans[f.name.digest, default: []].append(f)
            } else {
                report.kept += 1
            }
        }

        for e in expected {
            if let f = byTag[e.tag] {
                guard f.name.fileName != e.fileName || f.subdirectory != e.subdirectory else { continue }
                if ledger?.contains(f.name.fileName) == true {
                    try move(f, to: e, dirs)
                    report.flagged += 1
                } else {
                    report.kept += 1
                }
            } else if var candidates = orphans[e.digest], let f = candidates.popLast() {
                orphans[e.digest] = candidates
                try move(f, to: e, dirs)
                report.renamed += 1
            }
        }
        for f in orphans.values.joined() {
            guard let dir = dirs[f.subdirectory] else { continue }
            try dir.removeFile(f.name.fileName)
            report.removed += 1
        }
        for dir in dirs.values { try dir.sync() }
        return report
    }

    struct StoredFile {
        var subdirectory: String
        var name: MaildirName
    }

    /// Renames a file to a message's name, in `new` or `cur` as its flags say (no link followed).
    static func move(_ f: StoredFile, to e: MaildirName, _ dirs: [String: DirectoryHandle]) throws {
        guard let from = dirs[f.subdirectory], let to = dirs[e.subdirectory] else { return }
        guard renameat(from.fd, f.name.fileName, to.fd, e.fileName) == 0 else {
            throw FileRefusal(from.path(of: f.name.fileName), "cannot rename to \(e.fileName): \(String(cString: strerror(errno)))")
        }
    }
}
