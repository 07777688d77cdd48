import Steps

/// `mailshift graph --format text`: the plan's steps in an order they can run, one template per
/// paragraph (a per-user step is listed once with its user count, not once per user).
public enum GraphTextRenderer {
    public static func render(_ g: StepGraph, listSteps: Bool = false) -> String {
        let batches = g.batches.count == 1 ? "1 batch" : "\(g.batches.count) batches"
        var out = "plan \(g.planName) (\(g.strategy)): \(batches), \(g.users.count) users, "
        out += "\(g.stepCount) steps, fingerprint \(g.fingerprint.short)\n"
        for (t, template) in g.templates.enumerated() {
            out += "\n"
            var head = template.idPrefix
            if template.fanout == .perUser {
                let n = template.batch.map { g.batches[$0].users.count } ?? 0
                head += "/{user}  ×\(n)"
            }
            out += "\(head)  [\(template.kind.rawValue)\(template.kind.isIrreversible ? ", irreversible" : "")]"
            if let host = template.host { out += " on \(host)" }
            out += "\n"
            if let label = template.label { out += "    \(label)\n" }
            for e in template.parameters.entries { out += "    \(e.key): \(describe(e.value))\n" }
            if !template.dependencies.isEmpty {
                let deps = template.dependencies.map { d -> String in
                    switch d {
                    case .all(let u): g.templates[u].idPrefix + (g.templates[u].fanout == .perUser ? " (all users)" : "")
                    case .sameUser(let u): g.templates[u].idPrefix + "/{user}"
                    }
                }
                out += "    after: \(deps.joined(separator: ", "))\n"
            }
            if listSteps {
                for i in g.steps(ofTemplate: t) { out += "      \(g.stepID(i))\n" }
            }
        }
        return out
    }

    static func describe(_ v: StepParameters.Value) -> String {
        switch v {
        case .text(let s): s
        case .list(let l): "[" + l.joined(separator: ", ") + "]"
        case .number(let n): String(n)
        case .flag(let b): b ? "true" : "false"
        }
    }
}
