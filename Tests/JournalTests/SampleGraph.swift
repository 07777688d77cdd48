import Digest
import Steps

/// A small migration-shaped graph: prepare once, then per user import → verify → retire.
func sampleGraph(users: Int = 4, importParameter: String = "v1", retireParameter: String = "keep",
    dropVerify: Bool = false) -> StepGraph
{
    let names = (0..<users).map { "u\($0)" }
    let batch = BatchInfo(name: "pilot", users: 0..<users, usersFingerprint: Fingerprint(fields: names))
    var templates = [
        StepTemplate(idPrefix: "pilot/prepare", kind: .command, batch: 0, parameters: StepParameters([("argv", .list(["true"]))])),
        StepTemplate(idPrefix: "pilot/import", kind: .mailboxImport, batch: 0, fanout: .perUser,
            parameters: StepParameters([("mbox", .text("/var/mail/{user}")), ("p", .text(importParameter))]),
            dependencies: [.all(0)]),
    ]
    if !dropVerify {
        templates.append(StepTemplate(idPrefix: "pilot/verify", kind: .mailboxVerify, batch: 0, fanout: .perUser,
            dependencies: [.sameUser(1)]))
    }
    templates.append(StepTemplate(idPrefix: "pilot/retire", kind: .sourceRetire, batch: 0, fanout: .perUser,
        parameters: StepParameters([("mode", .text(retireParameter))]),
        dependencies: [.sameUser(dropVerify ? 1 : 2)]))
    return StepGraph(planName: "sample", strategy: "simple", users: names, batches: [batch], templates: templates)
}
