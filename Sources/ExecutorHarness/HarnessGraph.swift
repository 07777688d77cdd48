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
        // The harness runner writes files of its own; these parameters only give each kind its shape.
        let store = StoreTarget(kind: .maildir, host: "host0", maildir: "/harness/store/{user}")
        let copy = MailboxImportParameters(mbox: "/harness/spool/{user}", format: "auto", timezone: "UTC", store: store, lock: false)
        let check = { (batch: String) in
            MailboxVerifyParameters(mbox: copy.mbox, timezone: "UTC", store: store, mode: .count, importStep: StepReference(idPrefix: "\(batch)/copy", sameUser: true))
        }
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
        var templates: [StepTemplate] = [StepTemplate(idPrefix: "setup", action: .serviceStart(ServiceParameters(service: "setup", argv: ["setup"], wait: 1)), host: host(0))]
        for (b, batch) in batches.enumerated() {
            let base = templates.count
            var firstDeps: [TemplateDependency] = [.all(0)]
            if b == 1 { firstDeps.append(.all(2)) }  // the second batch waits for the first's checks
            templates.append(StepTemplate(idPrefix: "\(batch.name)/copy", action: .mailboxImport(copy), batch: b,
                fanout: .perUser, host: host(b), dependencies: firstDeps))
            templates.append(StepTemplate(idPrefix: "\(batch.name)/check", action: .mailboxVerify(check(batch.name)), batch: b,
                fanout: .perUser, host: host(b + 1), dependencies: [.sameUser(base)]))
            var sealDeps: [TemplateDependency] = [.sameUser(base + 1)]
            if gate {
                templates.append(StepTemplate(idPrefix: "\(batch.name)/gate",
                    action: .gate(GateParameters(message: "clients of \(batch.name) repointed?", autoApprove: autoApprove)), batch: b,
                    dependencies: [.all(base + 1)]))
                sealDeps.append(.all(base + 2))
            }
            templates.append(StepTemplate(idPrefix: "\(batch.name)/seal",
                action: .command(CommandParameters(purpose: "seal", argv: ["seal", "{user}", sealParameter])), batch: b, fanout: .perUser,
                dependencies: sealDeps))
        }
        let seals = templates.indices.filter { templates[$0].idPrefix.hasSuffix("/seal") }
        templates.append(StepTemplate(idPrefix: "summary", action: .command(CommandParameters(purpose: "summary", argv: ["summary"])), dependencies: seals.map { .all($0) }))
        return StepGraph(
            planName: "harness", strategy: "simple", users: names, batches: batches, templates: templates,
            hosts: hostTable,
            policy: RunPolicy(parallel: parallel, perHost: perHost, retryAttempts: retries, retryBackoff: backoff,
                stepTimeout: timeout))
    }
}
