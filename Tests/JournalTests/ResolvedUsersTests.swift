import Journal
import MailshiftTestSupport
import Steps
import Testing

/// `users_from` lists in the journal: read back before a graph exists, latest per batch, kept
/// (the latest only) when a changed plan rebinds the journal, and not counted as progress.
@Suite struct ResolvedUsersTests {
    @Test func listsRoundTripAndSurviveRebinding() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        #expect(try ResolvedUsers.latest(in: store).isEmpty)
        try store.beginAppending(header: JournalHeader(
            graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount))
        let old = ResolvedUsers(batch: "staff", filter: "(mailHost=a\tb)", users: ["x"], time: "t0")
        let new = ResolvedUsers(batch: "staff", filter: "(mailHost=a\tb)", users: ["ann", "bob"], time: "t1")
        let other = ResolvedUsers(batch: "empty", filter: "(uid=none)", users: [], time: "t1")
        try store.appendNow([old.record, new.record, other.record])
        store.close()

        #expect(try ResolvedUsers.latest(in: store) == ["staff": new, "empty": other])
        let state = try JournalState.load(from: store, for: graph)
        #expect(state.isEmpty, "lists alone are no progress")
        #expect(ResolvedUsers.latest(in: state) == ["staff": new, "empty": other])

        // A changed plan: the journal is rebound with only the latest list of each batch.
        let changed = sampleGraph(importParameter: "v2")
        let rebound = try JournalState.load(from: store, for: changed)
        try store.rewrite(header: JournalHeader(graphFingerprint: changed.fingerprint.hex, planName: changed.planName,
            stepCount: changed.stepCount), records: rebound.compactedRecords(for: changed))
        var kept: [ResolvedUsers] = []
        _ = try store.read(full: true) { if let list = ResolvedUsers($0) { kept.append(list) } }
        #expect(kept == [other, new])
    }
}
