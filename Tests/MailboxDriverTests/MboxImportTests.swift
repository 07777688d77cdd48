import Foundation
import Lab
import MailboxDriver
import MailshiftTestSupport
import Testing

@Suite struct MboxImportTests {
    @Test(arguments: MboxCorpus.Variant.allCases)
    func importsEveryMessageOnceWithDatesAndFlags(_ v: MboxCorpus.Variant) throws {
        let dir = try TemporaryDirectory(prefix: "import")
        defer { dir.remove() }
        let mbox = dir.file("alice")
        let manifest = try MboxCorpus.write(to: mbox, options: .init(seed: 21, messages: 80, variant: v, folderInternalData: v == .mboxrd))
        let maildir = dir.file("Maildir")
        // The corpus's mboxo files are ambiguous (`>From `, no `>>From `): the writer's variant is known.
        let options = MboxImportOptions(ifAmbiguous: v == .mboxo ? .mboxo : .refuse)
        let report = try MboxImport.run(file: mbox, maildir: maildir, options: options)
        #expect(report.variant == v.rawValue)
        #expect(report.messages == 80)
        #expect(report.imported == 80)
        #expect(report.bytes == manifest.storedBytes)
        try MaildirCheck.expectExact(maildir, manifest)
        // Idempotent: a second run writes nothing and reports the same digest summary.
        let again = try MboxImport.run(file: mbox, maildir: maildir, options: options)
        #expect(again.imported == 0)
        #expect(again.present == 80)
        #expect(again.digestSummary == report.digestSummary)
        try MaildirCheck.expectExact(maildir, manifest)
        let preview = try MboxImport.preview(file: mbox, maildir: maildir, options: options)
        #expect(preview.pending == 0)
    }

    @Test func partialMaildirIsCompletedWithoutDuplicates() throws {
        let dir = try TemporaryDirectory(prefix: "import-partial")
        defer { dir.remove() }
        let mbox = dir.file("bob")
        let manifest = try MboxCorpus.write(to: mbox, options: .init(seed: 5, messages: 40, variant: .solaris))
        let maildir = dir.file("Maildir")
        _ = try MboxImport.run(file: mbox, maildir: maildir, options: .init(variant: .solaris))
        // Lose some messages and leave a stale temporary file of a dead process, as a crash would.
        let cur = try FileManager.default.contentsOfDirectory(atPath: maildir + "/cur").sorted()
        for name in cur.prefix(7) { try FileManager.default.removeItem(atPath: "\(maildir)/cur/\(name)") }
        _ = FileManager.default.createFile(atPath: maildir + "/tmp/mailshift-999999-3", contents: Data("partial".utf8))
        let preview = try MboxImport.preview(file: mbox, maildir: maildir, options: .init(variant: .solaris))
        #expect(preview.pending == 7)
        let report = try MboxImport.run(file: mbox, maildir: maildir, options: .init(variant: .solaris))
        #expect(report.imported == 7)
        try MaildirCheck.expectExact(maildir, manifest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/tmp").isEmpty)
    }

    /// Damage after 30 good messages: nothing is written, whether the mailbox fits the writer's
    /// hold (read once; batches of 1,024) or overflows it (batches of 5: the hold of 20 fills and
    /// the whole file is validated before anything is published).
    @Test(arguments: [1024, 5]) func damagedMailboxWritesNothing(batchMessages: Int) throws {
        let dir = try TemporaryDirectory(prefix: "import-bad")
        defer { dir.remove() }
        let mbox = dir.file("carol")
        _ = try MboxCorpus.write(to: mbox, options: .init(seed: 9, messages: 30, variant: .mboxo))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: mbox))
        try h.seekToEnd()
        try h.write(contentsOf: Data([UInt8](repeating: 0, count: 8192)))
        try h.close()
        let maildir = dir.file("Maildir")
        var options = MboxImportOptions()
        options.batchMessages = batchMessages
        #expect(throws: MboxError.self) { try MboxImport.run(file: mbox, maildir: maildir, options: options) }
        #expect(!FileManager.default.fileExists(atPath: maildir))
        // Into an existing Maildir: its directories stay, and nothing appears in them.
        try FileManager.default.createDirectory(atPath: maildir + "/cur", withIntermediateDirectories: true)
        #expect(throws: MboxError.self) { try MboxImport.run(file: mbox, maildir: maildir, options: options) }
        for sub in ["cur", "new", "tmp"] {
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\(sub)")) ?? []).isEmpty)
        }
        #expect(FileManager.default.fileExists(atPath: maildir + "/cur"))
    }

    /// A mailbox larger than the hold (batches of 7: hold 28) imports exactly, in one run.
    @Test func aMailboxLargerThanTheHoldImportsExactly() throws {
        let dir = try TemporaryDirectory(prefix: "import-big")
        defer { dir.remove() }
        let mbox = dir.file("dan")
        let manifest = try MboxCorpus.write(to: mbox, options: .init(seed: 12, messages: 100, variant: .mboxcl2))
        let maildir = dir.file("Maildir")
        var options = MboxImportOptions()
        options.batchMessages = 7
        let report = try MboxImport.run(file: mbox, maildir: maildir, options: options)
        #expect(report.messages == 100 && report.imported == 100)
        try MaildirCheck.expectExact(maildir, manifest)
    }
}

extension MboxImportTests {
    /// A lab spool (every variant, pseudo-messages, bad Content-Lengths) imports exactly, detected.
    @Test func labSpoolImportsExactlyWithDetection() throws {
        let dir = try TemporaryDirectory(prefix: "spool")
        defer { dir.remove() }
        let users = ["alice", "bob", "carol", "dave", "erin", "frank"]
        let manifests = try MboxCorpus.writeSpool(at: dir.file("mail"), users: users, messages: 25)
        #expect(FileManager.default.fileExists(atPath: dir.file("mail/.manifest.json")))
        for user in users {
            // The lab's MDA writes mboxo; its mboxrd files show `>>From ` and are not ambiguous.
            let report = try MboxImport.run(file: dir.file("mail/\(user)"), maildir: dir.file("store/\(user)"), options: .init(ifAmbiguous: .mboxo))
            let manifest = try #require(manifests[user])
            #expect(report.variant == manifest.variant.rawValue, "\(user)")
            try MaildirCheck.expectExact(dir.file("store/\(user)"), manifest)
        }
    }
}
