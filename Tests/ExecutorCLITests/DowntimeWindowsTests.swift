import Executor
import Foundation
import Journal
import PlanCompiler
import Steps
import Testing

@testable import MailshiftCLI

/// Each user's window, on the graphs the compiler makes from `plans/`: it opens at the first step
/// that takes the mail away and closes when the last step that gives it back finishes.
@Suite struct DowntimeWindowsTests {
    static let plans = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("plans")

    /// A compiled example plan and an empty journal state for it.
    struct Scene {
        let graph: StepGraph
        var state: JournalState
        let ids: [String: Int]

        init(_ plan: String, users: [String: [String]] = [:]) throws {
            let result = Compiler.compile(planAt: DowntimeWindowsTests.plans.appendingPathComponent(plan).path,
                resolvedUsers: users)
            graph = try #require(result.graph)
            state = JournalState(stepCount: graph.stepCount)
            ids = graph.indexByID()
        }

        /// Marks the step done at `seconds` (nil: done, in a journal that recorded no time).
        mutating func finish(_ id: String, at seconds: Int64?) throws {
            let i = try #require(ids[id], "no step \(id)")
            state.status[i] = .done
            state.finishedAt[i] = seconds.map { $0 * 1000 }
        }

        func downtime(_ user: String) throws -> Double? {
            let u = try #require(graph.users.firstIndex(of: user))
            return DowntimeWindows(graph: graph, state: state).windows[u].seconds
        }

        func summary(_ batch: String) throws -> DowntimeSummary {
            let b = try #require(graph.batches.first { $0.name == batch })
            return DowntimeWindows(graph: graph, state: state).summary(of: b)
        }
    }

    @Test func forwardOpensAtTheDivertAndClosesWhenTheLastOfTheMailIsBack() throws {
        var s = try Scene("forward.yaml")
        try s.finish("circulation/divert", at: 100)
        try s.finish("circulation/set-inactive", at: 103)
        try s.finish("circulation/set-active", at: 110)
        try s.finish("circulation/saved-import/ada", at: 105)  // before set-active: not the close
        try s.finish("circulation/saved-import/ben", at: 112)
        try s.finish("circulation/saved-import/cyd", at: 130)
        #expect(try s.downtime("ada") == nil, "the window is open until the .forward is restored")
        #expect(try s.summary("circulation") == DowntimeSummaryProbe.open(3))

        try s.finish("circulation/restore", at: 120)
        #expect(try s.downtime("ada") == 20)
        #expect(try s.downtime("ben") == 20)
        #expect(try s.downtime("cyd") == 30)
        let summary = try s.summary("circulation")
        #expect(summary.measured == 3)
        #expect(summary.open == 0)
        #expect(summary.median == 20)
        #expect(summary.p95 == 30)
        #expect(summary.max == 30)
        // A batch that has not begun has no window at all.
        #expect(try s.downtime("dora") == nil)
        #expect(try s.summary("cataloguing") == DowntimeSummaryProbe.open(0))
    }

    @Test func proxyRunsFromTheHoldToTheRelease() throws {
        var s = try Scene("proxy.yaml")
        try s.finish("pilot/set-hold", at: 10)
        try s.finish("pilot/set-mailbox", at: 40)
        #expect(try s.downtime("alice") == nil, "held mail is not back until hold_master ran")
        try s.finish("pilot/hold-master", at: 42)
        #expect(try s.downtime("alice") == 32)
        #expect(try s.downtime("bob") == 32)
    }

    @Test func chokeRunsFromTheChokeHoldToItsRelease() throws {
        var s = try Scene("choke.yaml")
        try s.finish("hardware/choke-hold", at: 1)
        try s.finish("hardware/set-inactive", at: 2)
        try s.finish("hardware/set-active", at: 5)
        try s.finish("hardware/choke-release", at: 7)
        #expect(try s.downtime("hal") == 6)
    }

    @Test func simpleRunsFromTheMailHostChangeToTheNewServersStart() throws {
        var s = try Scene("simple.yaml")
        try s.finish("everyone/set-mailhost", at: 50)
        try s.finish("global/start-store-server", at: 350)
        #expect(try s.downtime("anna") == 300)
    }

    @Test func aJournalWithoutTimesMeasuresNothing() throws {
        var s = try Scene("choke.yaml")
        for id in ["hardware/choke-hold", "hardware/set-inactive", "hardware/set-active", "hardware/choke-release"] {
            try s.finish(id, at: nil)
        }
        #expect(try s.downtime("hal") == nil)
        #expect(try s.summary("hardware") == DowntimeSummaryProbe.open(0))
    }

    @Test func percentilesAreNearestRankAndTheMedianAveragesTheMiddlePair() {
        func windows(_ seconds: [Int64]) -> [DowntimeWindows.Window] {
            seconds.map { DowntimeWindows.Window(opened: 0, closed: $0 * 1000) }
        }
        let twenty = DowntimeSummary(windows(Array(1...20)))
        #expect(twenty.median == 10.5)
        #expect(twenty.p95 == 19)
        #expect(twenty.max == 20)
        let one = DowntimeSummary(windows([7]) + [DowntimeWindows.Window(opened: 5, closed: nil)])
        #expect(one.median == 7 && one.p95 == 7 && one.max == 7)
        #expect(one.open == 1)
        #expect(DowntimeSummary.text(1.5) == "1.500")
        #expect(DowntimeSummary.text(0.007) == "0.007")
    }

    @Test func statusPrintsTheBatchesDowntime() throws {
        var s = try Scene("choke.yaml")
        try s.finish("hardware/choke-hold", at: 1)
        try s.finish("hardware/set-active", at: 3)
        try s.finish("hardware/choke-release", at: 4)
        s.state.header = JournalHeader(graphFingerprint: s.graph.fingerprint.hex, planName: s.graph.planName,
            stepCount: s.graph.stepCount)
        let status = RunStatus(graph: s.graph, state: s.state)
        let text = status.text(planPath: "p.yaml", location: "STATE", lock: nil)
        #expect(text.contains("  downtime median 3.000 s, p95 3.000 s, max 3.000 s (3 users)\n"), "\(text)")
        let json = status.json(location: "STATE", lock: nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let batches = try #require(object["batches"] as? [[String: Any]])
        let hardware = try #require(batches.first { $0["name"] as? String == "hardware" }?["downtime"] as? [String: Any])
        #expect(hardware["median_s"] as? Double == 3)
        #expect(hardware["measured"] as? Int == 3)
        let software = try #require(batches.first { $0["name"] as? String == "software" }?["downtime"] as? [String: Any])
        #expect(software["median_s"] is NSNull)
    }

    @Test func theReportListsEveryUserWithStableFields() throws {
        var s = try Scene("choke.yaml")
        try s.finish("hardware/choke-hold", at: 1)
        try s.finish("hardware/set-active", at: 3)
        try s.finish("hardware/choke-release", at: 4)
        let importID = "hardware/import/hal"
        try s.finish(importID, at: 2)
        s.state.outputs[try #require(s.ids[importID])] = StepOutputs(encoding: {
            var o = MailboxImportOutputs(messages: 12, sourceIdentity: "1:2:3")
            o.bytes = 3400
            o.imported = 12
            return o
        }())
        try s.finish("hardware/verify/hal", at: 2)
        let rows = UserReport.rows(graph: s.graph, state: s.state)
        #expect(rows.map(\.user) == ["hal", "ida", "jon", "kim", "lea", "max", "ned"])
        let hal = try #require(rows.first)
        #expect(hal.messages == 12 && hal.bytes == 3400 && hal.deltaMessages == 12 && hal.precopyMessages == nil)
        #expect(hal.verify == .passed)
        #expect(hal.downtimeSeconds == 3)
        #expect(hal.outcome == .inProgress)
        #expect(rows.last?.outcome == .pending)

        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let data = try e.encode(ReportDocument(graph: s.graph, rows: rows, windows: DowntimeWindows(graph: s.graph, state: s.state)))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["format_version"] as? Int == 1)
        let users = try #require(object["users"] as? [[String: Any]])
        #expect(users.count == 7)
        #expect(users[0]["downtime_s"] as? Double == 3)
        #expect(users[0]["messages"] as? Int == 12)
        // Unknown values are there as null, so every row has every field.
        #expect(users[3]["downtime_s"] is NSNull)
        #expect(Set(users[3].keys) == Set(users[0].keys))
        #expect(Set(users[0].keys) == ["user", "batch", "messages", "bytes", "precopy_messages", "delta_messages", "verify",
            "downtime_s", "window_opened_ms", "window_closed_ms", "outcome"])

        let csv = ReportTable.csv(rows)
        #expect(csv.hasPrefix("user,batch,messages,bytes,precopy_messages,delta_messages,verify,downtime_s,outcome\r\n"
            + "hal,hardware,12,3400,,12,passed,3.000,in_progress\r\n"), "\(csv)")
    }
}

/// A summary with nothing measured and `open` windows still open.
enum DowntimeSummaryProbe {
    static func open(_ n: Int) -> DowntimeSummary {
        var s = DowntimeSummary([DowntimeWindows.Window]())
        s.open = n
        return s
    }
}
