import Foundation
import Steps
import Synchronization

/// Finds a step's index from its id without materialising every id of a large graph.
///
/// A per-user id is `<template id prefix>/<user>`; the user's position in the batch gives the
/// ordinal. Per-batch user maps are built on first use (thread-safe), so a driver asking for one
/// other step's outputs costs one batch's map, not a million strings.
public final class StepLocator: Sendable {
    private let graph: StepGraph
    private let templatesByPrefix: [String: Int]
    /// Per batch, each user's ordinal, built on first use.
    private let userOrdinals = Mutex<[Int: [String: Int]]>([:])

    public init(graph: StepGraph) {
        self.graph = graph
        var map: [String: Int] = [:]
        for (t, template) in graph.templates.enumerated() { map[template.idPrefix] = t }
        self.templatesByPrefix = map
    }

    public func index(of stepID: String) -> Int? {
        if let t = templatesByPrefix[stepID], graph.templates[t].fanout == .single {
            return graph.offsets[t]
        }
        guard let slash = stepID.lastIndex(of: "/") else { return nil }
        let prefix = String(stepID[..<slash])
        let user = String(stepID[stepID.index(after: slash)...])
        guard let t = templatesByPrefix[prefix], graph.templates[t].fanout == .perUser,
            let b = graph.templates[t].batch, let ordinal = ordinals(ofBatch: b)[user]
        else { return nil }
        return graph.offsets[t] + ordinal
    }

    private func ordinals(ofBatch b: Int) -> [String: Int] {
        userOrdinals.withLock { known in
            if let map = known[b] { return map }
            var map: [String: Int] = [:]
            for (n, u) in graph.users[graph.batches[b].users].enumerated() where map[u] == nil { map[u] = n }
            known[b] = map
            return map
        }
    }
}
