import Foundation
import Lab
import Testing

/// After a real run of each strategy, `status` and `report` show each user's downtime, measured
/// from the journal's completion times.
@Suite(.labThreads) struct DowntimeReportTests {
    @Test(arguments: LabPlans.strategies)
    func statusAndReportShowEachUsersDowntime(strategy: String) throws {
        let lab = try LabRun.up(users: 6, messages: 3, seed: 21)
        defer { lab.down() }
        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")

        let status = try lab.mailshift(["status", lab.plan(strategy)])
        #expect(status.output.contains("  downtime median "), "\(status.output)")

        let report = try lab.mailshift(["report", lab.plan(strategy), "--format", "json"])
        #expect(report.status == 0, "\(report.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [String: Any])
        #expect(object["format_version"] as? Int == 1)
        #expect(object["strategy"] as? String == strategy)
        let users = try #require(object["users"] as? [[String: Any]])
        #expect(users.count == 6)
        for u in users {
            let name = u["user"] as? String ?? "?"
            let downtime = try #require(u["downtime_s"] as? Double, "\(name) has no downtime: \(u)")
            #expect(downtime >= 0)
            let opened = try #require(u["window_opened_ms"] as? Int)
            let closed = try #require(u["window_closed_ms"] as? Int)
            #expect(Double(closed - opened) / 1000 == downtime)
            #expect(u["outcome"] as? String == "complete", "\(name): \(u)")
            #expect(u["verify"] as? String == "passed")
            let messages = try #require(u["messages"] as? Int)
            #expect(messages > 0)
        }
        let batches = try #require(object["batches"] as? [[String: Any]])
        for b in batches {
            let d = try #require(b["downtime"] as? [String: Any])
            #expect(d["measured"] as? Int == b["users"] as? Int, "\(b)")
            #expect(d["open"] as? Int == 0)
            let median = try #require(d["median_s"] as? Double)
            let max = try #require(d["max_s"] as? Double)
            #expect(median <= max)
        }

        let csv = try lab.mailshift(["report", lab.plan(strategy), "--format", "csv"])
        let lines = csv.output.split(separator: "\r\n")
        #expect(lines.count == 7, "\(csv.output)")
        #expect(lines.first == "user,batch,messages,bytes,precopy_messages,delta_messages,verify,downtime_s,outcome")
        let text = try lab.mailshift(["report", lab.plan(strategy)])
        #expect(text.output.contains("downtime median"), "\(text.output)")
    }
}
