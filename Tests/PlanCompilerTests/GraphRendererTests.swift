import Foundation
import PlanCompiler
import Steps
import Testing

/// `graph` output: text lists every template in order, dot renders with Graphviz, json is stable.
@Suite struct GraphRendererTests {
    static func graph(_ plan: String) throws -> StepGraph {
        try #require(Compiler.compile(planAt: TestPaths.plans.appendingPathComponent(plan).path).graph)
    }

    @Test func textListsEveryTemplateInOrder() throws {
        let g = try Self.graph("proxy.yaml")
        let text = GraphTextRenderer.render(g)
        var last = text.startIndex
        for t in g.templates {
            let found = try #require(text.range(of: "\n\(t.idPrefix)", range: last..<text.endIndex), "\(t.idPrefix)")
            last = found.upperBound
        }
        #expect(text.hasPrefix("plan campus-2026 (proxy): 3 batches, 8 users, \(g.stepCount) steps"))
        #expect(GraphTextRenderer.render(g, listSteps: true).contains("      staff/import/carol\n"))
    }

    @Test(arguments: ["simple.yaml", "forward.yaml", "choke.yaml", "proxy.yaml", "campus-large.yaml"])
    func dotRendersWithGraphviz(_ plan: String) throws {
        let dot = GraphDOTRenderer.render(try Self.graph(plan))
        #expect(dot.contains("subgraph \"cluster_0\""))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dot")
        process.arguments = ["-Tsvg"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(dot.utf8))
        try input.fileHandleForWriting.close()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: svg, as: UTF8.self))")
        #expect(String(decoding: svg, as: UTF8.self).contains("<svg"))
    }

    @Test func jsonIsStableAndComplete() throws {
        let g = try Self.graph("choke.yaml")
        let a = try GraphJSONRenderer.render(g)
        #expect(a == (try GraphJSONRenderer.render(try Self.graph("choke.yaml"))))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(a.utf8)) as? [String: Any])
        #expect(object["format"] as? Int == 1)
        #expect(object["fingerprint"] as? String == g.fingerprint.hex)
        #expect(object["step_count"] as? Int == g.stepCount)
        let templates = try #require(object["templates"] as? [[String: Any]])
        #expect(templates.count == g.templates.count)
        #expect(templates.contains { $0["id"] as? String == "hardware/retire" && $0["reversible"] as? Bool == false })
        let hold = try #require(templates.first { $0["id"] as? String == "hardware/choke-hold" })
        let parameters = try #require(hold["parameters"] as? [String: Any])
        #expect(parameters["purpose"] as? String == "choke_hold")
        #expect(parameters["argv"] as? [String] == ["/usr/local/sbin/choke-ctl", "hold", "{user}"])
        #expect(parameters["per_user"] as? Bool == true)
        // The password is a reference, never a value.
        #expect(a.contains("ENG_LDAP_PASSWORD"))
    }
}
