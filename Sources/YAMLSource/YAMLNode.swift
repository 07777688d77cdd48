import Diagnostics

/// One node of a loaded YAML document, with where it was written.
///
/// Invariants: `start`/`end` are 1-based line and column (in characters) with a 0-based byte
/// offset; a mapping's `children` alternate key, value, key, value (in document order); a
/// scalar's `children` is empty. Nodes are values: an alias is a copy of its anchored node
/// (cheap, copy-on-write), so the tree never holds a cycle.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable, Hashable { case scalar, sequence, mapping }

    /// How a scalar was written; only a plain scalar can be a number, a boolean or null.
    public enum Style: Sendable, Hashable { case plain, quoted, block }

    public var kind: Kind
    public var value: String
    public var style: Style
    /// Explicit tag, if written (e.g. `tag:yaml.org,2002:str`).
    public var tag: String?
    public var children: [YAMLNode]
    public var start: SourceLocation
    public var end: SourceLocation

    public init(
        kind: Kind, value: String = "", style: Style = .plain, tag: String? = nil, children: [YAMLNode] = [],
        start: SourceLocation, end: SourceLocation
    ) {
        self.kind = kind
        self.value = value
        self.style = style
        self.tag = tag
        self.children = children
        self.start = start
        self.end = end
    }

    /// A mapping's entries as (key, value) pairs.
    public var pairs: [(key: YAMLNode, value: YAMLNode)] {
        guard kind == .mapping else { return [] }
        var out: [(key: YAMLNode, value: YAMLNode)] = []
        out.reserveCapacity(children.count / 2)
        var i = 0
        while i + 1 < children.count {
            out.append((children[i], children[i + 1]))
            i += 2
        }
        return out
    }

    /// True for a plain `null`, `~` or empty scalar (YAML's null), unless tagged otherwise.
    public var isNull: Bool {
        kind == .scalar && style == .plain && tag == nil && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }

    /// What kind of value this is, for messages: "a string", "a list", "a mapping", "null".
    public var kindDescription: String {
        switch kind {
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .scalar: isNull ? "nothing (null)" : "a scalar"
        }
    }

    /// The node's span in `file`.
    public func range(in file: String) -> SourceRange {
        SourceRange(file: file, start: start, end: end)
    }
}

/// A loaded YAML file: its name, its text, and its one document's root (nil when empty).
public struct YAMLDocument: Sendable {
    public var file: String
    public var root: YAMLNode?

    public init(file: String, root: YAMLNode?) {
        self.file = file
        self.root = root
    }
}
