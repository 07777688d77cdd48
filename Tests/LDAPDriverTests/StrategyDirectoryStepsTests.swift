import Foundation
import Lab
import LDAPDriver
import MailshiftTestSupport
import PlanCompiler
import Steps
import Testing

/// The example plans' directory steps, compiled by the real compiler, run against slapd batch by
/// batch in the order the graph lists them, then each batch is rolled back.
@Suite struct StrategyDirectoryStepsTests {
    static let plans = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("plans")

    /// `users_from` filters of the example plans, resolved here as the executor will at run start.
    static let usersFrom = ["forward": ["archives": "(ou=Archives)"]]

    @Test(arguments: ["simple", "forward", "choke", "proxy"])
    func directoryStepsRunThenRollBack(plan: String) async throws {
        let path = Self.plans.appendingPathComponent("\(plan).yaml").path
        let first = try #require(Compiler.compile(planAt: path).graph)
        // Archivists carry `ou: Archives` and lack `inetUser`, so `object_classes` has work to do.
        let archivists = ["arch1", "arch2"].map { uid -> DirectoryUser in
            var user = DirectoryUser.mailUser(uid)
            user.objectClasses.removeAll { $0 == "inetUser" }
            user.attributes["inetUserStatus"] = nil
            user.attributes["ou"] = ["Archives"]
            return user
        }
        let slapd = try SlapdFixture(users: first.users.map { DirectoryUser.mailUser($0) } + archivists)
        defer { slapd.stop() }
        var endpoint = slapd.endpoint()
        endpoint.userFilter = first.directory?.userFilter ?? endpoint.userFilter

        var resolved: [String: [String]] = [:]
        for (batch, filter) in Self.usersFrom[plan] ?? [:] {
            resolved[batch] = try await DirectoryUserSearch(endpoint: endpoint, pageSize: 1).users(matching: filter)
            #expect(resolved[batch] == ["arch1", "arch2"])
        }
        let graph = try #require(Compiler.compile(planAt: path, resolvedUsers: resolved).graph)
        let runner = LDAPSetRunner()
        var ran = 0
        for (b, batch) in graph.batches.enumerated() {
            let templates = graph.templates.indices.filter { graph.templates[$0].kind == .ldapSet && graph.templates[$0].batch == b }
            var outputs: [StepOutputs] = []
            for t in templates {
                for i in graph.steps(ofTemplate: t) {
                    let step = graph.step(i)
                    let context = RecordingContext().context(directory: endpoint)
                    #expect(try await runner.inspect(step, context: context).state == .pending, "\(step.id)")
                    outputs.append(try await runner.apply(step, context: context))
                    #expect(try await runner.inspect(step, context: context).state == .done, "\(step.id)")
                    ran += 1
                }
            }
            guard let user = graph.users[batch.users].first, !templates.isEmpty else { continue }
            let host = try #require(graph.step(graph.steps(ofTemplate: templates[0]).lowerBound).parameters(LDAPSetParameters.self).set.first)
            #expect(try slapd.values(user, "mailHost") == [String(host.split(separator: "=")[1])], "\(batch.name)")

            let rollback = LDAPRollback(endpoint: endpoint)
            #expect(try await rollback.plan(steps: outputs).refusals.isEmpty)
            try await rollback.restore(steps: outputs)
            #expect(try slapd.values(user, "mailHost") == ["oldmail.example.edu"], "\(batch.name) rolled back")
            #expect(try slapd.values(user, "mailDeliveryOption") == ["mailbox"])
            #expect(try slapd.values(user, "mailUserStatus") == ["active"])
            if user.hasPrefix("arch") {
                #expect(try slapd.values(user, "inetUserStatus") == [])
                #expect(!(try slapd.values(user, "objectClass").contains("inetUser")))
            } else {
                #expect(try slapd.values(user, "inetUserStatus") == ["active"])
            }
        }
        #expect(ran >= graph.batches.count, "every batch has directory steps")
    }
}
