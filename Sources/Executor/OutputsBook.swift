import Foundation
import Journal
import Steps

/// The outputs steps have recorded (from the journal, then as the run goes), shared by the
/// running steps: `StepContext.previousOutputs` and `StepContext.outputs(of:)` read it.
final class OutputsBook: @unchecked Sendable {
    private let lock = NSLock()
    private var outputs: [Int: StepOutputs]
    private let locator: StepLocator
    private var transitions = 0

    init(outputs: [Int: StepOutputs], graph: StepGraph) {
        self.outputs = outputs
        self.locator = StepLocator(graph: graph)
    }

    subscript(index: Int) -> StepOutputs? {
        lock.lock()
        defer { lock.unlock() }
        return outputs[index]
    }

    func outputs(ofStepID id: String) -> StepOutputs? {
        guard let i = locator.index(of: id) else { return nil }
        return self[i]
    }

    func merge(_ index: Int, _ more: StepOutputs) {
        guard !more.isEmpty else { return }
        lock.lock()
        outputs[index] = (outputs[index] ?? StepOutputs()).merging(more)
        lock.unlock()
    }

    func set(_ index: Int, _ values: StepOutputs) {
        lock.lock()
        outputs[index] = values.isEmpty ? nil : values
        lock.unlock()
    }

    func countTransitions(_ n: Int) {
        lock.lock()
        transitions += n
        lock.unlock()
    }

    var transitionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return transitions
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
