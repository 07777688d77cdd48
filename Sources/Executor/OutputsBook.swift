import Foundation
import Journal
import Steps
import Synchronization

/// The outputs steps have recorded (from the journal, then as the run goes), shared by the
/// running steps: `StepContext.previousOutputs` and `StepContext.outputs(of:)` read it.
final class OutputsBook: Sendable {
    private let outputs: Mutex<[Int: StepOutputs]>
    private let locator: StepLocator
    private let transitions = Mutex(0)

    init(outputs: [Int: StepOutputs], graph: StepGraph) {
        self.outputs = Mutex(outputs)
        self.locator = StepLocator(graph: graph)
    }

    subscript(index: Int) -> StepOutputs? {
        outputs.withLock { $0[index] }
    }

    /// The graph index of step `id` (the run's one locator, its per-batch maps built once).
    func index(of id: String) -> Int? { locator.index(of: id) }

    func outputs(ofStepID id: String) -> StepOutputs? {
        guard let i = locator.index(of: id) else { return nil }
        return self[i]
    }

    func merge(_ index: Int, _ more: StepOutputs) {
        guard !more.isEmpty else { return }
        outputs.withLock { $0[index] = ($0[index] ?? StepOutputs()).merging(more) }
    }

    func set(_ index: Int, _ values: StepOutputs) {
        outputs.withLock { $0[index] = values.isEmpty ? nil : values }
    }

    func countTransitions(_ n: Int) {
        transitions.withLock { $0 += n }
    }

    var transitionCount: Int {
        transitions.withLock { $0 }
    }
}

/// Replaces known secret values (resolved passwords) with `[redacted]` wherever the executor
/// would write or print a driver's text: outputs, error summaries, log lines.
struct SecretRedactor: Sendable {
    let secrets: [String]

    init(_ secrets: [String]) {
        // Very short values would redact ordinary text; a password that short is refused elsewhere.
        self.secrets = secrets.filter { $0.count >= 4 }
    }

    func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "[redacted]") }
        return out
    }

    func redact(_ outputs: StepOutputs) -> StepOutputs {
        guard !secrets.isEmpty else { return outputs }
        var out = StepOutputs()
        for (k, v) in outputs.values { out[redact(k)] = redact(v) }
        return out
    }
}
