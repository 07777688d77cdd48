/// Bounds the loader enforces so that a hostile or broken plan cannot exhaust memory or time.
///
/// An alias copies its anchored node; `maxAliasNodes` caps how many nodes all aliases may add
/// together, which stops "billion laughs" documents while leaving room for ordinary reuse
/// (serde-yaml and eemeli/yaml bound aliases for the same reason).
public struct YAMLLimits: Sendable, Hashable {
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int
    /// Nodes that aliases may add in total (each alias adds its anchored subtree's size).
    public var maxAliasNodes: Int

    public init(maxDepth: Int = 64, maxAliasNodes: Int = 100_000) {
        self.maxDepth = maxDepth
        self.maxAliasNodes = maxAliasNodes
    }

    public static let standard = YAMLLimits()
}
