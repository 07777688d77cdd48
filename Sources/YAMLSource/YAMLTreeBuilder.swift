import Diagnostics

/// Builds a `YAMLNode` tree from parser events, enforcing `YAMLLimits`, rejecting duplicate keys
/// and resolving aliases. Knows nothing of libyaml: `YAMLLoader` feeds it.
///
/// The first structural error (too deep, bad alias) stops the build; duplicate keys are collected
/// and the build goes on, so a plan's every duplicate is reported at once.
struct YAMLTreeBuilder {
    private struct Frame {
        var node: YAMLNode
        var anchor: String?
        var size: Int
        /// Keys seen so far, once the mapping is large enough for a linear scan to be slow.
        var keyIndex: [String: Int]?
    }

    let file: String
    let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var aliasNodes = 0
    private(set) var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []
    /// Set once a structural error makes the rest of the document meaningless.
    private(set) var stopped = false

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func scalar(_ value: String, style: YAMLNode.Style, tag: String?, anchor: String?, start: SourceLocation, end: SourceLocation) {
        let node = YAMLNode(kind: .scalar, value: value, style: style, tag: tag, start: start, end: end)
        if let anchor { anchors[anchor] = (node, 1) }
        add(node, size: 1)
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
        aliasNodes += target.size
        if aliasNodes > limits.maxAliasNodes {
            fail(.yamlAliasBomb(limit: limits.maxAliasNodes, at: range))
            return
        }
        add(target.node, size: target.size)
    }

    mutating func startCollection(_ kind: YAMLNode.Kind, tag: String?, anchor: String?, start: SourceLocation, end: SourceLocation) {
        if stack.count >= limits.maxDepth {
            fail(.yamlTooDeep(limit: limits.maxDepth, at: SourceRange(file: file, start: start, end: end)))
            return
        }
        let node = YAMLNode(kind: kind, tag: tag, start: start, end: end)
        stack.append(Frame(node: node, anchor: anchor, size: 1))
    }

    mutating func endCollection(end: SourceLocation) {
        guard var frame = stack.popLast() else { return }
        frame.node.end = end
        if let anchor = frame.anchor { anchors[anchor] = (frame.node, frame.size) }
        add(frame.node, size: frame.size)
    }

    private mutating func fail(_ d: Diagnostic) {
        diagnostics.append(d)
        stopped = true
    }

    private mutating func add(_ node: YAMLNode, size: Int) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        if stack[top].node.kind == .mapping, stack[top].node.children.count % 2 == 0 {
            checkKey(node, frame: top)
        }
        stack[top].node.children.append(node)
    }

    /// Rejects a non-scalar key and a key already present in the mapping being built.
    private mutating func checkKey(_ key: YAMLNode, frame top: Int) {
        guard key.kind == .scalar else {
            diagnostics.append(.yamlComplexKey(at: key.range(in: file)))
            return
        }
        let children = stack[top].node.children
        let position = children.count
        var firstIndex: Int?
        if let index = stack[top].keyIndex {
            firstIndex = index[key.value]
        } else {
            var i = 0
            while i < children.count {
                if children[i].kind == .scalar, children[i].value == key.value {
                    firstIndex = i
                    break
                }
                i += 2
            }
            if children.count >= 32 {
                var index: [String: Int] = [:]
                var j = 0
                while j < children.count {
                    if index[children[j].value] == nil { index[children[j].value] = j }
                    j += 2
                }
                stack[top].keyIndex = index
            }
        }
        if let first = firstIndex {
            diagnostics.append(.yamlDuplicateKey(key.value, at: key.range(in: file), first: children[first].range(in: file)))
        } else if stack[top].keyIndex != nil {
            stack[top].keyIndex?[key.value] = position
        }
    }
}
