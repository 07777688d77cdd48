/// The flat rendering of a step's typed parameters (`StepParameterSet`): an ordered key → value
/// list for `mailshift graph`, the fingerprints and tests. Runners never read it: they receive the
/// typed struct of their kind. `expand` is the one placeholder expander (`{user}`, `{batch}`,
/// `{host}`, `{mbox}`), applied per argument so a value can never split or reach a shell.
public struct StepParameters: Sendable, Hashable, Codable {
    public enum Value: Sendable, Hashable, Codable {
        case text(String)
        case list([String])
        case number(Int)
        case flag(Bool)
    }

    public private(set) var entries: [(key: String, value: Value)]

    public init(_ entries: [(String, Value)] = []) {
        self.entries = entries.map { (key: $0.0, value: $0.1) }
    }

    public subscript(key: String) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let v = newValue { entries[i].value = v } else { entries.remove(at: i) }
            } else if let v = newValue {
                entries.append((key: key, value: v))
            }
        }
    }

    public func text(_ key: String) -> String? {
        if case .text(let s)? = self[key] { return s }
        return nil
    }

    public func list(_ key: String) -> [String]? {
        if case .list(let l)? = self[key] { return l }
        return nil
    }

    public func number(_ key: String) -> Int? {
        if case .number(let n)? = self[key] { return n }
        return nil
    }

    public func flag(_ key: String) -> Bool? {
        if case .flag(let b)? = self[key] { return b }
        return nil
    }

    /// Each string with `{name}` placeholders replaced. Replacement happens per argument, so a value
    /// can never split into two arguments or reach a shell.
    public func expanded(_ variables: [String: String]) -> StepParameters {
        guard !variables.isEmpty else { return self }
        var out = self
        for i in out.entries.indices {
            switch out.entries[i].value {
            case .text(let s): out.entries[i].value = .text(Self.expand(s, variables))
            case .list(let l): out.entries[i].value = .list(l.map { Self.expand($0, variables) })
            default: break
            }
        }
        return out
    }

    /// Replaces `{name}` for names in `variables`; other braces are left as written. With
    /// `foldingCase`, `{NAME}` is looked up as `name` (the variables' names are lowercase).
    public static func expand(_ template: String, _ variables: [String: String], foldingCase: Bool = false) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let written = String(rest[rest.index(after: open)..<close])
            if let v = variables[foldingCase ? written.lowercased() : written] {
                out += v
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    /// The names in `{name}` placeholders of `text`, in order.
    public static func placeholders(in text: String) -> [String] {
        guard text.contains("{") else { return [] }
        var out: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// Fields for fingerprinting, in order.
    public var fingerprintFields: [String] {
        entries.flatMap { e -> [String] in
            switch e.value {
            case .text(let s): [e.key, "t", s]
            case .list(let l): [e.key, "l", String(l.count)] + l
            case .number(let n): [e.key, "n", String(n)]
            case .flag(let b): [e.key, "f", b ? "1" : "0"]
            }
        }
    }

    public static func == (a: StepParameters, b: StepParameters) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into h: inout Hasher) {
        for e in entries {
            h.combine(e.key)
            h.combine(e.value)
        }
    }

    private struct Entry: Codable {
        var key: String
        var value: Value
    }

    public init(from decoder: any Decoder) throws {
        let list = try [Entry](from: decoder)
        self.entries = list.map { (key: $0.key, value: $0.value) }
    }

    public func encode(to encoder: any Encoder) throws {
        try entries.map { Entry(key: $0.key, value: $0.value) }.encode(to: encoder)
    }
}
