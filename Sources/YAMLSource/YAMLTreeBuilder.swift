import Diagnostics

/// Builds a `YAMLTree` from parser events, enforcing `YAMLLimits`, rejecting duplicate keys and
/// resolving aliases. Knows nothing of libyaml: `YAMLLoader` feeds it.
///
/// Children of open collections wait on one `pending` stack; when a collection ends its run is
/// moved to `childIndex` in one piece. The first structural error (too deep, bad alias) stops
/// the build; duplicate keys are collected and the build goes on, so every one is reported.
struct YAMLTreeBuilder {
    private struct Frame {
        var node: Int
        var anchor: String?
        /// Where this collection's children start in `pending`.
        var firstPending: Int
        var size: Int
        /// Keys seen so far, once the mapping is large enough for a linear scan to be slow.
        var keyIndex: [String: Int32]?
    }

    let file: String
    let limits: YAMLLimits
    private var kinds: [YAMLNode.Kind] = []
    private var styles: [YAMLNode.Style] = []
    private var values: [String] = []
    private var starts: [Mark] = []
    private var ends: [Mark] = []
    private var childStart: [Int32] = []
    private var childCount: [Int32] = []
    private var childIndex: [Int32] = []
    private var tags: [Int32: String] = [:]
    private var sizes: [Int32] = []

    private var stack: [Frame] = []
    private var pending: [Int32] = []
    private var anchors: [String: Int] = [:]
    private var aliasNodes = 0
    private var rootIndex: Int?
    private(set) var diagnostics: [Diagnostic] = []
    /// Set once a structural error makes the rest of the document meaningless.
    private(set) var stopped = false

    init(file: String, limits: YAMLLimits, expectedNodes: Int = 0) {
        self.file = file
        self.limits = limits
        do {
            kinds.reserveCapacity(expectedNodes)
            styles.reserveCapacity(expectedNodes)
            values.reserveCapacity(expectedNodes)
            starts.reserveCapacity(expectedNodes)
            ends.reserveCapacity(expectedNodes)
            childStart.reserveCapacity(expectedNodes)
            childCount.reserveCapacity(expectedNodes)
            childIndex.reserveCapacity(expectedNodes)
            sizes.reserveCapacity(expectedNodes)
        }
    }

    /// The finished tree's root, if the document had one.
    func root() -> YAMLNode? {
        guard let rootIndex else { return nil }
        let tree = YAMLTree(
            kinds: kinds, styles: styles, values: values, starts: starts, ends: ends, childStart: childStart, childCount: childCount,
            childIndex: childIndex, tags: tags)
        return YAMLNode(tree: tree, index: rootIndex)
    }

    private mutating func newNode(_ kind: YAMLNode.Kind, _ value: String, _ style: YAMLNode.Style, tag: String?, start: SourceLocation, end: SourceLocation) -> Int {
        let i = kinds.count
        kinds.append(kind)
        styles.append(style)
        values.append(value)
        starts.append(Mark(start))
        ends.append(Mark(end))
        childStart.append(0)
        childCount.append(0)
        sizes.append(1)
        if let tag { tags[Int32(truncatingIfNeeded: i)] = tag }
        return i
    }

    mutating func scalar(_ value: String, style: YAMLNode.Style, tag: String?, anchor: String?, start: SourceLocation, end: SourceLocation) {
        let i = newNode(.scalar, value, style, tag: tag, start: start, end: end)
        if let anchor { anchors[anchor] = i }
        add(i, size: 1)
    }

    mutating func alias(_ name: String, start: SourceLocation, end: SourceLocation) {
        let range = SourceRange(file: file, start: start, end: end)
        if stack.contains(where: { $0.anchor == name }) {
            fail(.yamlRecursiveAlias(name, at: range))
            return
        }
        guard let target = anchors[name] else {
            fail(.yamlUndefinedAlias(name, at: range))
            return
        }
        let size = Int(sizes[target])
        aliasNodes += size
        if aliasNodes > limits.maxAliasNodes {
            fail(.yamlAliasBomb(limit: limits.maxAliasNodes, at: range))
            return
        }
        add(target, size: size)
    }

    mutating func startCollection(_ kind: YAMLNode.Kind, tag: String?, anchor: String?, start: SourceLocation, end: SourceLocation) {
        if stack.count >= limits.maxDepth {
            fail(.yamlTooDeep(limit: limits.maxDepth, at: SourceRange(file: file, start: start, end: end)))
            return
        }
        let i = newNode(kind, "", .plain, tag: tag, start: start, end: end)
        stack.append(Frame(node: i, anchor: anchor, firstPending: pending.count, size: 1))
    }

    mutating func endCollection(end: SourceLocation) {
        guard let frame = stack.popLast() else { return }
        let i = frame.node
        ends[i] = Mark(end)
        childStart[i] = Int32(truncatingIfNeeded: childIndex.count)
        childCount[i] = Int32(truncatingIfNeeded: pending.count - frame.firstPending)
        childIndex.append(contentsOf: pending[frame.firstPending...])
        pending.removeSubrange(frame.firstPending...)
        sizes[i] = Int32(truncatingIfNeeded: min(frame.size, Int(Int32.max)))
        if let anchor = frame.anchor { anchors[anchor] = i }
        add(i, size: frame.size)
    }

    private mutating func fail(_ d: Diagnostic) {
        diagnostics.append(d)
        stopped = true
    }

    private mutating func add(_ node: Int, size: Int) {
        guard !stack.isEmpty else {
            rootIndex = node
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        if kinds[stack[top].node] == .mapping, (pending.count - stack[top].firstPending) % 2 == 0 {
            checkKey(node, frame: top)
        }
        pending.append(Int32(truncatingIfNeeded: node))
    }

    private func keyRange(_ i: Int) -> SourceRange {
        SourceRange(file: file, start: starts[i].location, end: ends[i].location)
    }

    /// Rejects a non-scalar key and a key already present in the mapping being built.
    private mutating func checkKey(_ key: Int, frame top: Int) {
        guard kinds[key] == .scalar else {
            diagnostics.append(.yamlComplexKey(at: keyRange(key)))
            return
        }
        let first = stack[top].firstPending
        let name = values[key]
        var earlier: Int?
        if let index = stack[top].keyIndex {
            earlier = index[name].map(Int.init)
        } else {
            var j = first
            while j < pending.count {
                let k = Int(pending[j])
                if kinds[k] == .scalar, values[k] == name {
                    earlier = k
                    break
                }
                j += 2
            }
            if pending.count - first >= 32 {
                var index: [String: Int32] = [:]
                var j = first
                while j < pending.count {
                    if index[values[Int(pending[j])]] == nil { index[values[Int(pending[j])]] = pending[j] }
                    j += 2
                }
                stack[top].keyIndex = index
            }
        }
        if let earlier {
            diagnostics.append(.yamlDuplicateKey(name, at: keyRange(key), first: keyRange(earlier)))
        } else if stack[top].keyIndex != nil {
            stack[top].keyIndex?[name] = Int32(truncatingIfNeeded: key)
        }
    }
}
