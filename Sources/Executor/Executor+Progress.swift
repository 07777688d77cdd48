import Journal
import Steps

/// Per-batch counts for the observer and the preview.
extension Executor {
    /// Steps per batch (in plan order; batch-less steps under "-").
    func progress(_ status: [StepStatus]) -> [BatchProgress] {
        var order: [String] = []
        var totals: [String: (Int, Int)] = [:]
        for (t, template) in graph.templates.enumerated() {
            let name = template.batch.map { graph.batches[$0].name } ?? "-"
            if totals[name] == nil {
                order.append(name)
                totals[name] = (0, 0)
            }
            let range = graph.steps(ofTemplate: t)
            let done = range.reduce(0) { $0 + (status[$1] == .done ? 1 : 0) }
            totals[name]!.0 += range.count
            totals[name]!.1 += done
        }
        return order.map { BatchProgress(name: $0, total: totals[$0]!.0, done: totals[$0]!.1) }
    }
}
