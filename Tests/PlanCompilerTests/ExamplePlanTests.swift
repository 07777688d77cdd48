import Foundation
import PlanCompiler
import Steps
import Testing

/// Every example under `plans/` compiles without an error.
@Suite struct ExamplePlanTests {
    static let plans = TestPaths.yamlFiles(in: TestPaths.plans)

    @Test func thereIsOneExamplePerStrategyAndALargeOne() {
        let strategies = Set(Self.plans.compactMap { Compiler.compile(planAt: TestPaths.plans.appendingPathComponent($0).path).graph?.strategy })
        #expect(strategies == ["simple", "forward", "choke", "proxy"])
        #expect(Self.plans.count >= 5)
    }

    @Test(arguments: plans) func compiles(_ name: String) throws {
        let path = TestPaths.plans.appendingPathComponent(name).path
        let result = Compiler.compile(planAt: path)
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics.errors.map(\.message))")
        let graph = try #require(result.graph)
        #expect(graph.stepCount > 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("# yaml-language-server: $schema=../schemas/plan.schema.json\n"))
    }

    @Test func usersFromIsResolvedAtRunTime() throws {
        let path = TestPaths.plans.appendingPathComponent("forward.yaml").path
        let pending = Compiler.compile(planAt: path)
        #expect(pending.diagnostics.items.contains { $0.code == "compiler.users-from" && $0.severity == .note })
        #expect(pending.graph?.batches.first { $0.name == "archives" }?.users.count == 0)

        let resolved = Compiler.compile(planAt: path, resolvedUsers: ["archives": ["zed", "yan"]])
        let graph = try #require(resolved.graph)
        let archives = try #require(graph.batches.first { $0.name == "archives" })
        #expect(graph.users[archives.users] == ["zed", "yan"])
        #expect(!resolved.diagnostics.items.contains { $0.code == "compiler.users-from" })
        #expect(Compiler.load(planAt: path).userSearches == [UserSearch(batch: "archives", filter: "(ou=Archives)")])
    }

    @Test func usersFoundInTheDirectoryAreCheckedToo() throws {
        let path = TestPaths.plans.appendingPathComponent("forward.yaml").path
        let result = Compiler.compile(planAt: path, resolvedUsers: ["archives": ["ok", "../etc", "ada"]])
        #expect(result.graph == nil)
        let unsafe = try #require(result.diagnostics.items.first { $0.code == "compiler.unsafe-user" })
        #expect(unsafe.range?.start.line == 54)  // the users_from line
        let duplicate = try #require(result.diagnostics.items.first { $0.code == "compiler.duplicate-user" })
        #expect(duplicate.message == "user 'ada' is listed in batch 'archives' and in batch 'circulation'")
    }
}
