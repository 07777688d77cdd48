import YAMLSource

extension PlanDecoder {
    /// Most passes a pre-copy may make: each pass reads the whole mailbox, and past a few the
    /// delta no longer shrinks (it is what arrives while one pass runs).
    static let maxPrecopyPasses = 10

    /// `precopy: true | false | {passes: N}` → passes (0: off); nil when wrong (reported).
    mutating func precopy(_ node: YAMLNode, _ what: String) -> Int? {
        if node.kind == .mapping {
            guard let f = fields(node, what, allowed: PlanKeys.precopy, required: ["passes"]) else { return nil }
            guard let n = int(f["passes"], "\(what).passes", min: 1) else { return nil }
            if n > Self.maxPrecopyPasses, let passes = f["passes"] {
                report(.planOutOfRange("\(what).passes", value: String(n), expected: "at most \(Self.maxPrecopyPasses)", at: range(passes)))
                return nil
            }
            return n
        }
        return bool(node, what).map { $0 ? 1 : 0 }
    }
}
