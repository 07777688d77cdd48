import Digest
import Steps

/// The graph the crash harness and tests run: a setup step, then per user copy → check → seal in
/// two batches (the second waits for all of the first's checks), then a summary of everything.
/// `users` = 200 gives 1 + 200 × 3 + 1 = 602 steps.
public enum HarnessGraph {
    public static func make(users: Int = 200, parallel: Int = 8, perHost: Int = 4, hosts: Int = 2,
        sealParameter: String = "v1", retries: Int = 3, backoff: Double = 0.01, timeout: Double = 0,
        maxFailures: Int? = nil, gate: Bool = false, autoApprove: Bool = false) -> StepGraph
    {
        let names = (0..<users).map { "user\($0)" }
        let half = users / 2
        let batches = [
            BatchInfo(name: "first", users: 0..<half, usersFingerprint: Fingerprint(fields: Array(names[0..<half])),
                maxFailures: maxFailures),
            BatchInfo(name: "second", users: half..<users,
                usersFingerprint: Fingerprint(fields: Array(names[half..<users])), maxFailures: maxFailures),
        ]
        var hostTable: [String: HostEndpoint] = [:]
        for h in 0..<hosts { hostTable["host\(h)"] = HostEndpoint(name: "host\(h)", address: "127.0.0.1", connect: .local) }
        let host = { (n: Int) -> String? in hosts == 0 ? nil : "host\(n % hosts)" }
        var templates: [StepTemplate] = [StepTemplate(idPrefix: "setup", kind: .serviceStart, host: host(0))]
        for (b, batch) in batches.enumerated() {
            let base = templates.count
            var firstDeps: [TemplateDependency] = [.all(0)]
            if b == 1 { firstDeps.append(.all(2)) }  // the second batch waits for the first's checks
            templates.append(StepTemplate(idPrefix: "\(batch.name)/copy", kind: .mailboxImport, batch: b,
                fanout: .perUser, host: host(b), dependencies: firstDeps))
            templates.append(StepTemplate(idPrefix: "\(batch.name)/check", kind: .mailboxVerify, batch: b,
                fanout: .perUser, host: host(b + 1), dependencies: [.sameUser(base)]))
            var sealDeps: [TemplateDependency] = [.sameUser(base + 1)]
            if gate {
                templates.append(StepTemplate(idPrefix: "\(batch.name)/gate", kind: .gate, batch: b,
                    parameters: StepParameters([("message", .text("clients of \(batch.name) repointed?")),
                        ("auto_approve", .flag(autoApprove))]),
                    dependencies: [.all(base + 1)]))
                sealDeps.append(.all(base + 2))
            }
            templates.append(StepTemplate(idPrefix: "\(batch.name)/seal", kind: .command, batch: b, fanout: .perUser,
                parameters: StepParameters([("argv", .list(["seal", "{user}", sealParameter]))]),
                dependencies: sealDeps))
        }
        let seals = templates.indices.filter { templates[$0].idPrefix.hasSuffix("/seal") }
        templates.append(StepTemplate(idPrefix: "summary", kind: .command, dependencies: seals.map { .all($0) }))
        return StepGraph(
            planName: "harness", strategy: "simple", users: names, batches: batches, templates: templates,
            hosts: hostTable,
            policy: RunPolicy(parallel: parallel, perHost: perHost, retryAttempts: retries, retryBackoff: backoff,
                stepTimeout: timeout))
    }
}
