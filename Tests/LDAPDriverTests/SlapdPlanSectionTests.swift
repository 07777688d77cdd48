import Foundation
import Lab
import LDAPDriver
import MailshiftTestSupport
import PlanCompiler
import Steps
import Testing

@Suite struct SlapdPlanSectionTests {
    /// A plan whose `directory:` section comes from the lab instance compiles, and its own
    /// endpoint (password file, base, filter) drives the ldap.set step against that slapd.
    @Test func labSectionCompilesAndDrivesTheSteps() async throws {
        let simple = StrategyDirectoryStepsTests.plans.appendingPathComponent("simple.yaml").path
        let first = try #require(Compiler.compile(planAt: simple).graph)
        let slapd = try SlapdFixture(users: first.users.map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        let plan = try Self.labPlan(from: simple, slapd: slapd)
        let result = Compiler.compile(planAt: plan)
        let graph = try #require(result.graph, "\(result.diagnostics.items.map(\.message))")
        let directory = try #require(graph.directory)
        #expect(directory.url == slapd.slapd.url)
        #expect(directory.bindDN == slapd.layout.migratorDN)
        let t = try #require(graph.templates.firstIndex { $0.kind == .ldapSet })
        let step = graph.step(graph.steps(ofTemplate: t).lowerBound)
        let outputs = try await LDAPSetRunner().apply(step, context: RecordingContext().context(directory: directory))
        #expect(outputs[LDAPSetOutputs.written] == String(step.users.count))
    }

    /// A copy of the plan at `source` whose `directory:` section points at the fixture's slapd.
    static func labPlan(from source: String, slapd: SlapdFixture) throws -> String {
        let section = try slapd.slapd.planDirectorySection(passwordFile: slapd.temp.file("lab-password"))
        var lines: [Substring] = []
        var skipping = false
        for line in try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("directory:") { skipping = true; lines.append(contentsOf: section.split(separator: "\n")); continue }
            if skipping, let c = line.first, !c.isWhitespace, c != "#" { skipping = false }
            if !skipping { lines.append(line) }
        }
        let plan = slapd.temp.file("plan.yaml")
        try lines.joined(separator: "\n").write(toFile: plan, atomically: true, encoding: .utf8)
        // Users files and other relative paths resolve beside the original plan.
        let users = URL(fileURLWithPath: source).deletingLastPathComponent().appendingPathComponent("users").path
        if !FileManager.default.fileExists(atPath: slapd.temp.file("users")) {
            try FileManager.default.copyItem(atPath: users, toPath: slapd.temp.file("users"))
        }
        return plan
    }
}
