import Digest
import Foundation
import Steps

/// Builds the `StepInstance`s the compiler would hand a driver, for tests.
func makeStep(_ action: StepAction, id: String = "test/step", host: HostEndpoint?, users: [String] = []) -> StepInstance {
    StepInstance(
        index: 0, id: id, action: action, template: 0, batch: "pilot", user: nil, users: users[...], host: host,
        fingerprint: Fingerprint(fields: [action.kind.rawValue]), label: nil, reversible: true)
}

let localHost = HostEndpoint(name: "here", address: "localhost", connect: .local)

/// Collects the checkpoints a runner makes, in order.
actor CheckpointLog {
    private(set) var records: [StepOutputs] = []
    func add(_ o: StepOutputs) { records.append(o) }

    nonisolated func context(previous: StepOutputs? = nil, outputs: @escaping @Sendable (String) -> StepOutputs? = { _ in nil }) -> StepContext {
        StepContext(dryRun: false, previousOutputs: previous, outputs: outputs, checkpoint: { await self.add($0) })
    }
}
