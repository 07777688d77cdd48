import Diagnostics
import Steps

/// Checks a lowered graph before anyone may run it (DESIGN.md section 5, rule 1):
/// - every irreversible step (`source.retire`) depends, directly or transitively, on the
///   `mailbox.verify` of the same user, so a source is never retired unverified;
/// - template dependencies form no cycle.
/// Works on templates, so it costs the same for ten users as for a million.
enum GraphSafetyCheck {
    static func check(_ graph: StepGraph) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let t = cycle(in: graph.templates) {
            out.append(.graphCycle(graph.templates[t].idPrefix))
            return out
        }
        for (t, template) in graph.templates.enumerated() where template.kind.isIrreversible {
            if template.fanout != .perUser || !reachesVerify(from: t, graph.templates) {
                out.append(.unsafeRetire(template.idPrefix))
            }
        }
        return out
    }

    /// True when step `(t, user u)` depends on the verify step of `u` in the same batch.
    ///
    /// A search over (template, scope): scope `user` means "only u's step of this template",
    /// `all` means "every step of it". `.sameUser` keeps the scope; `.all` widens it. Reaching a
    /// per-user verify template of the same batch in either scope includes u's verify.
    static func reachesVerify(from start: Int, _ templates: [StepTemplate]) -> Bool {
        let batch = templates[start].batch
        var seen = Set<Int>()  // t * 2 + (all ? 1 : 0)
        var stack = [(start, false)]
        while let (t, all) = stack.popLast() {
            for d in templates[t].dependencies {
                let (next, nextAll): (Int, Bool) =
                    switch d {
                    case .all(let u): (u, true)
                    case .sameUser(let u): (u, all)
                    }
                guard next >= 0, next < templates.count else { continue }
                let target = templates[next]
                if target.kind == .mailboxVerify, target.fanout == .perUser, target.batch == batch { return true }
                // `.sameUser` scope into another batch cannot name user u; only `.all` reaches across.
                if !nextAll, target.batch != batch { continue }
                if seen.insert(next * 2 + (nextAll ? 1 : 0)).inserted { stack.append((next, nextAll)) }
            }
        }
        return false
    }

    /// A template on a dependency cycle, if any (iterative three-colour DFS).
    static func cycle(in templates: [StepTemplate]) -> Int? {
        var state = [UInt8](repeating: 0, count: templates.count)
        func deps(_ t: Int) -> [Int] {
            templates[t].dependencies.map {
                switch $0 {
                case .all(let u), .sameUser(let u): u
                }
            }.filter { $0 >= 0 && $0 < templates.count }
        }
        for root in templates.indices where state[root] == 0 {
            var stack: [(Int, [Int], Int)] = [(root, deps(root), 0)]
            state[root] = 1
            while !stack.isEmpty {
                let (t, ds, i) = stack[stack.count - 1]
                if i == ds.count {
                    state[t] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].2 += 1
                let u = ds[i]
                if state[u] == 1 { return u }
                if state[u] == 0 {
                    state[u] = 1
                    stack.append((u, deps(u), 0))
                }
            }
        }
        return nil
    }
}
