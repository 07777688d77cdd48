import Diagnostics

/// One node of a loaded YAML document, with where it was written: a light view (tree + index)
/// into a `YAMLTree`'s arrays.
///
/// Invariants: `start`/`end` are 1-based line and column (in characters) with a 0-based byte
/// offset; a mapping's `children` alternate key, value, key, value (in document order); a
/// scalar has no children. An alias is the very node its anchor names (the tree is a DAG, never a
/// cycle), so repeating a subtree costs nothing; the loader bounds how much aliases expand.
public struct YAMLNode: Sendable {
    public enum Kind: UInt8, Sendable, Hashable { case scalar, sequence, mapping }

    /// How a scalar was written; only a plain scalar can be a number, a boolean or null.
    public enum Style: UInt8, Sendable, Hashable { case plain, quoted, block }

    let tree: YAMLTree
    let index: Int

    /// Identifies the node within its document (an alias shares its anchor's identity).
    public var identity: Int { index }

    public var kind: Kind { tree.kinds[index] }
    public var style: Style { tree.styles[index] }
    /// A scalar's text; empty for collections.
    public var value: String { tree.values[index] }
    /// Explicit tag, if written (e.g. `tag:yaml.org,2002:str`).
    public var tag: String? { tree.tags[Int32(truncatingIfNeeded: index)] }
    public var start: SourceLocation { tree.starts[index].location }
    public var end: SourceLocation { tree.ends[index].location }

    /// The items of a sequence, or the alternating keys and values of a mapping.
    public var children: Children {
        Children(tree: tree, range: Int(tree.childStart[index])..<Int(tree.childStart[index] + tree.childCount[index]))
    }

    /// A mapping's entries as (key, value) pairs.
    public var pairs: [(key: YAMLNode, value: YAMLNode)] {
        guard kind == .mapping else { return [] }
        let c = children
        var out: [(key: YAMLNode, value: YAMLNode)] = []
        out.reserveCapacity(c.count / 2)
        var i = c.startIndex
        while i + 1 < c.endIndex {
            out.append((c[i], c[i + 1]))
            i += 2
        }
        return out
    }

    /// True for a plain `null`, `~` or empty scalar (YAML's null), unless tagged otherwise.
    public var isNull: Bool {
        guard kind == .scalar, style == .plain else { return false }
        let v = value
        guard v.utf8.count <= 4 else { return false }
        return tag == nil && (v.isEmpty || v == "~" || v == "null" || v == "Null" || v == "NULL")
    }

    /// What kind of value this is, for messages: "a scalar", "a list", "a mapping", "nothing (null)".
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

    /// A node's children, materialised as views on demand (no array of nodes is built).
    public struct Children: RandomAccessCollection, Sendable {
        let tree: YAMLTree
        let range: Range<Int>
        public var startIndex: Int { 0 }
        public var endIndex: Int { range.count }
        public subscript(i: Int) -> YAMLNode { YAMLNode(tree: tree, index: Int(tree.childIndex[range.lowerBound + i])) }
    }
}

/// A compact mark: 1-based line and column, 0-based byte offset.
struct Mark: Sendable {
    var line: Int32
    var column: Int32
    var offset: Int

    init(_ l: SourceLocation) {
        line = Int32(truncatingIfNeeded: l.line)
        column = Int32(truncatingIfNeeded: l.column)
        offset = l.offset
    }

    var location: SourceLocation { SourceLocation(line: Int(line), column: Int(column), offset: offset) }
}

/// The storage of a loaded document: one entry per node in parallel arrays (no object per node),
/// and each collection's children as a contiguous run of `childIndex`.
final class YAMLTree: Sendable {
    let kinds: [YAMLNode.Kind]
    let styles: [YAMLNode.Style]
    let values: [String]
    let starts: [Mark]
    let ends: [Mark]
    let childStart: [Int32]
    let childCount: [Int32]
    let childIndex: [Int32]
    let tags: [Int32: String]

    init(
        kinds: [YAMLNode.Kind], styles: [YAMLNode.Style], values: [String], starts: [Mark], ends: [Mark], childStart: [Int32],
        childCount: [Int32], childIndex: [Int32], tags: [Int32: String]
    ) {
        self.kinds = kinds
        self.styles = styles
        self.values = values
        self.starts = starts
        self.ends = ends
        self.childStart = childStart
        self.childCount = childCount
        self.childIndex = childIndex
        self.tags = tags
    }
}

/// A loaded YAML file: its name, and its one document's root (nil when empty).
public struct YAMLDocument: Sendable {
    public var file: String
    public var root: YAMLNode?

    public init(file: String, root: YAMLNode?) {
        self.file = file
        self.root = root
    }
}
