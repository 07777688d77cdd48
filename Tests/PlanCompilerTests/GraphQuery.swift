import Foundation
import PlanCompiler
import Steps
import Testing

/// Step-level questions about a compiled (small) graph, by step id.
struct GraphQuery {
    let graph: StepGraph
    let index: [String: Int]

    init(_ graph: StepGraph) {
        self.graph = graph
        self.index = graph.indexByID()
    }

    static func compile(plan name: String, resolvedUsers: [String: [String]] = [:]) throws -> GraphQuery {
        let result = Compiler.compile(planAt: TestPaths.plans.appendingPathComponent(name).path, resolvedUsers: resolvedUsers)
        return GraphQuery(try #require(result.graph))
    }

    /// True when step `a` waits, directly or transitively, for step `b`.
    func dependsOn(_ a: String, _ b: String) -> Bool {
        guard let from = index[a], let target = index[b] else { return false }
        var seen = Set<Int>()
        var stack = [from]
        while let i = stack.popLast() {
            for d in graph.dependencies(of: i) {
                if d == target { return true }
                if seen.insert(d).inserted { stack.append(d) }
            }
        }
        return false
    }

    func ids(withPrefix prefix: String) -> [String] { index.keys.filter { $0.hasPrefix(prefix) }.sorted() }

    func step(_ id: String) -> StepInstance? { index[id].map(graph.step) }

    func users(of batch: String) -> [String] {
        guard let b = graph.batches.first(where: { $0.name == batch }) else { return [] }
        return Array(graph.users[b.users])
    }
}
