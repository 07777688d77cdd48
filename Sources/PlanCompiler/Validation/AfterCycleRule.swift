import Diagnostics
import PlanModel

/// `after` must not make batches wait for each other in a circle; each cycle is printed once,
/// starting from its first batch in plan order so the text is stable.
struct AfterCycleRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let batches = input.plan.batches
        var index: [String: Int] = [:]
        for (i, b) in batches.enumerated() where index[b.name.value] == nil { index[b.name.value] = i }
        // 0 unvisited, 1 on the current path, 2 finished.
        var state = [Int](repeating: 0, count: batches.count)
        var path: [Int] = []
        var reported = Set<[Int]>()

        func visit(_ i: Int) {
            state[i] = 1
            path.append(i)
            for a in batches[i].after {
                guard let j = index[a.value] else { continue }
                if state[j] == 1, let k = path.firstIndex(of: j) {
                    let cycle = Array(path[k...])
                    if reported.insert(cycle.sorted()).inserted {
                        let names = cycle.map { batches[$0].name.value } + [batches[j].name.value]
                        diagnostics.append(.afterCycle(names, at: a.range))
                    }
                } else if state[j] == 0 {
                    visit(j)
                }
            }
            path.removeLast()
            state[i] = 2
        }
        for i in batches.indices where state[i] == 0 { visit(i) }
    }
}
