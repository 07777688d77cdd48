import Foundation
import Testing

/// Every example plan in `plans/` compiles with the built binary (`scripts/test` also checks them).
@Suite(.labThreads) struct PlansDirectoryTests {
    @Test func everyExamplePlanCompiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let plans = try FileManager.default.contentsOfDirectory(atPath: root.path + "/plans").filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(plans.count >= 4)
        let exe = try #require(LabRun.mailshift)
        let pid = try LabRun.spawn([exe, "check"] + plans.map { root.path + "/plans/" + $0 }, output: "/dev/null")
        #expect(LabRun.wait(pid) == 0)
    }
}
