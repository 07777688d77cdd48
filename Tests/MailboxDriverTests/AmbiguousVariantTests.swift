import CommandDriver
import Foundation
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// A mailbox with `>From ` lines and no `>>From ` line reads differently as mboxo (keeps the `>`)
/// and as mboxrd (removes it), and verify's digest cannot tell the two apart: `format: auto`
/// refuses it, in the preview and the import alike, unless the plan says how to read it.
@Suite struct AmbiguousVariantTests {
    /// One message whose body had a `From ` line, as an mboxrd writer (or an mboxo one) wrote it.
    static let text = """
        From alice@example.org Mon Jan  1 00:00:00 2024
        From: alice@example.org
        Subject: quoting

        First line.
        >From here on, the quoted part.

        """

    /// The ambiguous mailbox in a temporary spool, and an import step for it into a Maildir.
    struct Scene {
        let dir: TemporaryDirectory
        var mbox: String { dir.file("alice") }
        var maildir: String { dir.file("Maildir") }
        let runner = MailboxImportRunner(transport: LocalTransport())
        let journal = MailboxStepsTests.Journal()

        init() throws {
            dir = try TemporaryDirectory(prefix: "ambiguous")
            try AmbiguousVariantTests.text.write(toFile: dir.file("alice"), atomically: true, encoding: .utf8)
        }

        func importStep(ifAmbiguous: String?) -> StepInstance {
            MailboxStepsTests.step(
                "import-alice",
                .mailboxImport(
                    MailboxImportParameters(
                        mbox: mbox, format: "auto", timezone: "UTC", store: MailboxStepsTests.maildirStore(maildir), lock: false,
                        ifAmbiguous: ifAmbiguous)))
        }
    }

    @Test func theImportAndItsPreviewRefuseAnAmbiguousMailboxAndWriteNothing() async throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let (mbox, maildir, runner, journal) = (s.mbox, s.maildir, s.runner, s.journal)
        let step = s.importStep(ifAmbiguous: nil)
        let previewed = try await #require(throws: MboxError.self) { try await runner.inspect(step, context: journal.context) }
        #expect(previewed.kind == MboxError.Kind.ambiguousVariant && previewed.file == mbox)
        #expect(previewed.hint?.contains("if_ambiguous") == true)
        let applied = try await #require(throws: MboxError.self) { try await runner.apply(step, context: journal.context) }
        #expect(applied.kind == MboxError.Kind.ambiguousVariant && applied.disposition == FailureDisposition.permanent)
        #expect(!FileManager.default.fileExists(atPath: maildir))
        #expect(try String(contentsOfFile: mbox, encoding: .utf8) == Self.text)
    }

    /// Told how to read it, each reading stores its own bytes.
    @Test(arguments: [("mboxrd", "From here on"), ("mboxo", ">From here on")])
    func thePlansReadingDecidesTheStoredBytes(_ reading: String, _ stored: String) async throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let (maildir, runner, journal) = (s.maildir, s.runner, s.journal)
        let step = s.importStep(ifAmbiguous: reading)
        #expect(try await runner.inspect(step, context: journal.context).state == .pending)
        let out = try await runner.apply(step, context: journal.context)
        #expect(out["variant"] == reading)
        let files = try FileManager.default.contentsOfDirectory(atPath: maildir + "/new")
            + FileManager.default.contentsOfDirectory(atPath: maildir + "/cur").map { "../cur/" + $0 }
        #expect(files.count == 1)
        let body = try String(contentsOfFile: maildir + "/new/" + files[0], encoding: .utf8)
        #expect(body.contains("\n" + stored + ", the quoted part."))
        if reading == "mboxrd" { #expect(!body.contains(">From here")) }
    }

    /// Mail arriving after the import can settle the variant the other way (`>>From ` makes the
    /// file mboxrd): the next import of the same mailbox still reads it as the first did, so the
    /// messages already stored are not stored again under other names.
    @Test func aReimportReadsTheMailboxAsTheFirstImportDid() async throws {
        let s = try Scene()
        defer { s.dir.remove() }
        let step = s.importStep(ifAmbiguous: "mboxo")
        let first = try await s.runner.apply(step, context: s.journal.context)
        #expect(first["variant"] == "mboxo")
        let late = "From bob@example.org Mon Jan  1 01:00:00 2024\nFrom: bob@example.org\nSubject: late\n\n>>From a doubly quoted line.\n\n"
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: s.mbox))
        try h.seekToEnd()
        try h.write(contentsOf: Data(late.utf8))
        try h.close()
        let preview = try await s.runner.inspect(step, context: StepContext(dryRun: true, previousOutputs: first))
        #expect(preview.changes.first?.messages == 1, "\(preview.changes)")
        #expect(preview.changes.first?.text.contains("(mboxo)") == true, "the preview reads it as the import will: \(preview.changes)")
        let again = try await s.runner.apply(step, context: StepContext(dryRun: false, previousOutputs: first))
        #expect(again["variant"] == "mboxo")
        #expect(again["imported"] == "1", "only the new message")
        let stored = try FileManager.default.contentsOfDirectory(atPath: s.maildir + "/new")
            + FileManager.default.contentsOfDirectory(atPath: s.maildir + "/cur")
        #expect(stored.count == 2, "\(stored)")
    }

    /// `>>From ` settles it: mboxrd, detected, no refusal.
    @Test func aDoublyEscapedLineIsNotAmbiguous() throws {
        let dir = try TemporaryDirectory(prefix: "ambiguous")
        defer { dir.remove() }
        let mbox = dir.file("alice")
        try (Self.text + "\n").replacingOccurrences(of: "First line.", with: ">>From a quote of a quote").write(
            toFile: mbox, atomically: true, encoding: .utf8)
        let reader = try MboxReader(path: mbox, variant: .auto, timeZone: TimeZone(identifier: "UTC")!)
        #expect(reader.variant == .mboxrd && reader.detected && !reader.ambiguous)
        let inspection = try MboxInspection.of(file: mbox, variant: .auto, timeZone: TimeZone(identifier: "UTC")!, maildir: nil)
        #expect(inspection.ambiguous == nil)
    }
}
