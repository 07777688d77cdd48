import Steps

/// `mailshift graph --format dot`: Graphviz source with one node per template (per-user steps
/// show their user count) and each batch as a cluster; same-user edges are dashed.
public enum GraphDOTRenderer {
    public static func render(_ g: StepGraph) -> String {
        var out = "digraph \(quote(g.planName)) {\n"
        out += "  label=\(quote("\(g.planName) (\(g.strategy)) \(g.fingerprint.short)"));\n"
        out += "  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        for (b, batch) in g.batches.enumerated() {
            out += "  subgraph \(quote("cluster_\(b)")) {\n"
            out += "    label=\(quote("\(batch.name) (\(batch.users.count) users)"));\n"
            for (t, template) in g.templates.enumerated() where template.batch == b { out += "    " + node(t, template, g) }
            out += "  }\n"
        }
        for (t, template) in g.templates.enumerated() where template.batch == nil { out += "  " + node(t, template, g) }
        for (t, template) in g.templates.enumerated() {
            for d in template.dependencies {
                switch d {
                case .all(let u): out += "  t\(u) -> t\(t);\n"
                case .sameUser(let u): out += "  t\(u) -> t\(t) [style=dashed];\n"
                }
            }
        }
        out += "}\n"
        return out
    }

    private static func node(_ t: Int, _ template: StepTemplate, _ g: StepGraph) -> String {
        var label = template.idPrefix.split(separator: "/").last.map(String.init) ?? template.idPrefix
        label += "\\n\(template.kind.rawValue)"
        if template.fanout == .perUser { label += " ×\(template.batch.map { g.batches[$0].users.count } ?? 0)" }
        var attributes = "label=\(quote(label, escapeNewline: false))"
        switch template.kind {
        case .gate, .workingCheck: attributes += ", shape=octagon"
        case .sourceRetire, .userDelete: attributes += ", color=red"
        default: break
        }
        return "t\(t) [\(attributes)];\n"
    }

    static func quote(_ s: String, escapeNewline: Bool = true) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += escapeNewline ? "\\\\" : "\\"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}
