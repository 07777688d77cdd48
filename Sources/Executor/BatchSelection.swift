import Steps

/// Which templates a run with `--only` takes.
enum BatchSelection {
    /// `--only`: the named batches' templates and, transitively, every template they depend on.
    static func templates(_ graph: StepGraph, _ only: Set<String>) -> [Bool] {
        guard !only.isEmpty else { return [Bool](repeating: true, count: graph.templates.count) }
        var selected = graph.templates.map { t in t.batch.map { only.contains(graph.batches[$0].name) } ?? false }
        var stack = selected.indices.filter { selected[$0] }
        while let t = stack.popLast() {
            for d in graph.templates[t].dependencies {
                let u: Int
                switch d {
                case .all(let x), .sameUser(let x): u = x
                }
                if !selected[u] {
                    selected[u] = true
                    stack.append(u)
                }
            }
        }
        return selected
    }
}
