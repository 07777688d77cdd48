import Diagnostics
import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

/// A failure read back from the journal (by `status`, or a later `resume`) is the failure the run
/// printed: its code, hint and place, not just its summary.
@Suite struct FailureRecordTests {
    struct SourceGone: StepFailure {
        var disposition: FailureDisposition { .permanent }
        var summary: String { "refusing to retire /var/mail/alice: it changed since verify (+12 bytes)" }
        var hint: String? { "re-run the import" }
        var diagnosticCode: DiagnosticCode { "mailbox.changed-since-verify" }
        var subject: RunSubject? { RunSubject(file: "/var/mail/alice", byte: 4096) }
    }

    @Test func codeHintAndPlaceSurviveTheJournal() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: JournalHeader(
            graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount))
        let step = graph.step(2)
        let note = FailureNote(stepID: step.id, host: "legacy", user: "alice", error: SourceGone())
        try await store.append([.failed(step, note)])
        store.close()
        var seen: [JournalRecord] = []
        _ = try store.read(full: true) { seen.append($0) }
        let back = try #require(seen.last?.failureNote)
        #expect(back == note)
        #expect(back.diagnostic.code == "mailbox.changed-since-verify")
        #expect(back.diagnostic.subject?.file == "/var/mail/alice" && back.diagnostic.subject?.byte == 4096)
        #expect(back.diagnostic.subject?.host == "legacy")
    }

    @Test func aJournalWrittenBeforeCodesReadsAsAGenericFailure() {
        let record = JournalRecord(kind: .failed, index: 0, fingerprint: "0", stepID: "s", detail: ["permanent", "boom", ""])
        let note = record.failureNote
        #expect(note?.code == FailureNote.genericCode && note?.summary == "boom" && note?.hint == nil && note?.subject == nil)
    }
}
