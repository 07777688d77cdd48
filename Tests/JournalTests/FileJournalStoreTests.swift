import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

@Suite struct FileJournalStoreTests {
    func header(_ graph: StepGraph) -> JournalHeader {
        JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
    }

    @Test func recordsRoundTripWithAwkwardText() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        let step = graph.step(1)
        let outputs: StepOutputs = ["count": "12", "odd key=x\\y": "tab\there\nnewline \\ back"]
        try await store.append([.started(step, attempt: 1), .done(step, how: "applied", outputs: outputs)])
        try await store.append([.failed(graph.step(2), disposition: .transient, summary: "timeout\tafter 3s", hint: nil)])
        store.close()
        var seen: [JournalRecord] = []
        let result = try store.read(full: true) { seen.append($0) }
        #expect(result.warnings.isEmpty)
        #expect(result.header == header(graph))
        #expect(seen.map(\.kind) == [.started, .done, .failed])
        #expect(seen[1].outputs == outputs)
        #expect(seen[1].stepID == step.id)
        #expect(seen[2].detail[1] == "timeout\tafter 3s")
    }

    @Test func tornLastRecordIsDroppedWithAWarningAndCutBeforeAppending() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        try await store.append([.done(graph.step(0), how: "applied", outputs: [:])])
        store.close()
        // Power loss mid-write: half a record, no newline.
        let full = Array((String(repeating: "0", count: 32) + " D\t1\t0123456789abcdef\tstep\tapplied\tn=1\n").utf8)
        let handle = try #require(FileHandle(forWritingAtPath: store.logPath))
        handle.seekToEndOfFile()
        handle.write(Data(full.prefix(full.count / 2)))
        try handle.close()

        var kinds: [Int] = []
        let result = try store.read(full: true) { kinds.append($0.index) }
        #expect(kinds == [0])
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("torn last record") == true)

        try store.beginAppending(header: header(graph))
        try await store.append([.done(graph.step(2), how: "applied", outputs: [:])])
        store.close()
        kinds = []
        let after = try store.read(full: true) { kinds.append($0.index) }
        #expect(kinds == [0, 2])
        #expect(after.warnings.isEmpty)
    }

    @Test func lastRecordWithBadChecksumIsTornButMiddleOneIsCorruption() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        // Two appends, two sealed groups: damage to the second leaves the first.
        try await store.append([.done(graph.step(0), how: "applied", outputs: [:])])
        try await store.append([.done(graph.step(1), how: "applied", outputs: [:])])
        store.close()
        var text = try String(contentsOfFile: store.logPath, encoding: .utf8)
        // Flip one payload byte of the last record (index 1 → 7).
        let last = text.range(of: "D\t1\t", options: .backwards)!
        text.replaceSubrange(last, with: "D\t7\t")
        try text.write(toFile: store.logPath, atomically: false, encoding: .utf8)
        var indices: [Int] = []
        let torn = try store.read(full: false) { indices.append($0.index) }
        #expect(indices == [0])
        #expect(torn.warnings.count == 1)

        // Same damage in the middle: refuse rather than guess.
        text += "00000000 D\t2\t-\tx\n"
        let good = text.components(separatedBy: "\n").filter { !$0.isEmpty }
        try (good.joined(separator: "\n") + "\n").write(toFile: store.logPath, atomically: false, encoding: .utf8)
        #expect(throws: JournalError.self) { _ = try store.read(full: false) { _ in } }
    }

    @Test func concurrentAppendsShareFlushes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph(users: 500)
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<graph.stepCount {
                group.addTask { try? await store.append([.done(graph.step(i), how: "applied", outputs: [:])]) }
            }
        }
        let flushes = store.flushCount
        store.close()
        var indices = Set<Int>()
        _ = try store.read(full: false) { indices.insert($0.index) }
        #expect(indices.count == graph.stepCount)
        #expect(flushes < graph.stepCount)
    }
}
