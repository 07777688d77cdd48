import Diagnostics
import YAMLSource

/// Decodes a YAML node tree into a `Plan`, collecting every problem rather than stopping at the
/// first. Typed readers (`string`, `int`, `argv` …) report wrong types and return nil; `fields`
/// reports unknown and missing keys. Each section's decoding lives in a `PlanDecoder+X.swift`.
public struct PlanDecoder {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []
    /// The key each decoded mapping value was written under, so "missing key" can point at the
    /// owner's name (`directory:`) rather than at its first entry.
    var ownerKeys: [Int: SourceRange] = [:]

    public init(file: String) { self.file = file }

    /// Decodes a loaded document (nil root: an empty plan).
    public static func decode(_ document: YAMLDocument) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        var decoder = PlanDecoder(file: document.file)
        guard let root = document.root, !root.isNull else {
            return (nil, [.planEmpty(file: document.file)])
        }
        let plan = decoder.plan(root)
        return (plan, decoder.diagnostics)
    }

    mutating func report(_ d: Diagnostic) { diagnostics.append(d) }

    func range(_ node: YAMLNode) -> SourceRange { node.range(in: file) }

    /// A mapping's entries by key, after reporting unknown keys (with a suggestion) and missing
    /// required keys. Nil (and reported) when `node` is not a mapping.
    mutating func fields(
        _ node: YAMLNode, _ context: String, allowed: [String], required: [String] = []
    ) -> [String: YAMLNode]? {
        guard node.kind == .mapping else {
            report(.planWrongType(context, expected: "a mapping", found: node.kindDescription, at: range(node)))
            return nil
        }
        var out: [String: YAMLNode] = [:]
        var misspelt: Set<String> = []
        for (key, value) in entries(node) {
            guard key.kind == .scalar else { continue }
            if allowed.contains(key.value) {
                if out[key.value] == nil {
                    out[key.value] = value
                    if value.kind == .mapping { ownerKeys[value.identity] = range(key) }
                }
            } else {
                report(.planUnknownKey(key.value, in: context, allowed: allowed, at: range(key)))
                if let s = NameSuggester.suggest(key.value, among: allowed) { misspelt.insert(s) }
            }
        }
        // A misspelt required key was just reported with its suggestion; "missing" would repeat it.
        for key in required where out[key] == nil && !misspelt.contains(key) {
            report(.planMissingKey(key, in: context, at: ownerKeys[node.identity] ?? SourceRange(file: file, start: node.start)))
        }
        return out
    }

    /// A mapping's pairs with YAML merge keys applied (`<<: *defaults`, or a list of aliases):
    /// the mapping's own keys win, then earlier merged mappings over later ones. Merged keys keep
    /// the location where they were written, so diagnostics point at the anchored text.
    mutating func entries(_ node: YAMLNode, depth: Int = 0) -> [(key: YAMLNode, value: YAMLNode)] {
        var own: [(key: YAMLNode, value: YAMLNode)] = []
        var merged: [(key: YAMLNode, value: YAMLNode)] = []
        for pair in node.pairs {
            guard pair.key.kind == .scalar, pair.key.style == .plain, pair.key.value == "<<" else {
                own.append(pair)
                continue
            }
            let sources = pair.value.kind == .sequence ? Array(pair.value.children) : [pair.value]
            for source in sources {
                guard source.kind == .mapping, depth < 16 else {
                    report(.planWrongType("a merge ('<<')", expected: "a mapping or a list of mappings", found: source.kindDescription,
                        at: range(source), hint: "write '<<: *name' where '&name' marks a mapping"))
                    continue
                }
                merged += entries(source, depth: depth + 1)
            }
        }
        let ownKeys = Set(own.map(\.key.value))
        var seen: Set<String> = []
        for pair in merged where !ownKeys.contains(pair.key.value) && seen.insert(pair.key.value).inserted {
            own.append(pair)
        }
        return own
    }

    mutating func string(_ node: YAMLNode?, _ what: String) -> String? {
        guard let node else { return nil }
        guard node.kind == .scalar, !node.isNull else {
            report(.planWrongType(what, expected: "a string", found: node.kindDescription, at: range(node)))
            return nil
        }
        return node.value
    }

    mutating func locatedString(_ node: YAMLNode?, _ what: String) -> Located<String>? {
        guard let node, let s = string(node, what) else { return nil }
        return Located(s, at: range(node))
    }

    mutating func int(_ node: YAMLNode?, _ what: String, min: Int = 0) -> Int? {
        guard let node else { return nil }
        guard node.kind == .scalar, node.style == .plain, !node.isNull, let n = Int(node.value) else {
            let found = node.kind == .scalar && !node.isNull ? "'\(node.value)'" : node.kindDescription
            report(.planWrongType(what, expected: "a whole number", found: found, at: range(node)))
            return nil
        }
        guard n >= min else {
            report(.planOutOfRange(what, value: String(n), expected: "at least \(min)", at: range(node)))
            return nil
        }
        return n
    }

    mutating func bool(_ node: YAMLNode?, _ what: String) -> Bool? {
        guard let node else { return nil }
        if node.kind == .scalar, node.style == .plain {
            switch node.value {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        let found = node.kind == .scalar && !node.isNull ? "'\(node.value)'" : node.kindDescription
        report(.planWrongType(what, expected: "true or false", found: found, at: range(node),
            hint: "write true or false (YAML 1.2: yes/no/on/off are strings)"))
        return nil
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ node: YAMLNode?, _ what: String, as: E.Type) -> E?
    where E.RawValue == String {
        guard let node, let s = string(node, what) else { return nil }
        if let e = E(rawValue: s) { return e }
        report(.planBadValue(what, value: s, allowed: E.allCases.map(\.rawValue), at: range(node)))
        return nil
    }

    mutating func stringList(_ node: YAMLNode?, _ what: String) -> [String]? {
        guard let node else { return nil }
        guard node.kind == .sequence else {
            report(.planWrongType(what, expected: "a list of strings", found: node.kindDescription, at: range(node),
                hint: "write a list: [a, b] or one '- item' per line"))
            return nil
        }
        var out: [String] = []
        out.reserveCapacity(node.children.count)
        for item in node.children {
            if let s = string(item, "each item of \(what)") { out.append(s) }
        }
        return out
    }

    /// A command as an argv array (never a shell string); must not be empty.
    mutating func argv(_ node: YAMLNode?, _ what: String) -> Located<[String]>? {
        guard let node else { return nil }
        if node.kind == .scalar, !node.isNull {
            report(.planWrongType(what, expected: "a command as a list of arguments", found: "a string", at: range(node),
                hint: "write [\(node.value.split(separator: " ").joined(separator: ", "))]: mailshift never runs a shell"))
            return nil
        }
        guard let list = stringList(node, what) else { return nil }
        guard !list.isEmpty else {
            report(.planOutOfRange(what, value: "an empty list", expected: "a command with at least one argument", at: range(node)))
            return nil
        }
        return Located(list, at: range(node))
    }
}
