import Digest
import Steps

/// A small migration-shaped graph: prepare once, then per user import → verify → retire.
/// `importParameter` stands in for any import setting (it is the import's time zone here).
func sampleGraph(users: Int = 4, importParameter: String = "v1", retireParameter: RetireMode = .keep,
    dropVerify: Bool = false) -> StepGraph
{
    let names = (0..<users).map { "u\($0)" }
    let batch = BatchInfo(name: "pilot", users: 0..<users, usersFingerprint: Fingerprint(fields: names))
    let store = StoreTarget(kind: .maildir, host: "store", maildir: "/srv/mail/{user}")
    var templates = [
        StepTemplate(idPrefix: "pilot/prepare", action: .command(CommandParameters(purpose: "prepare", argv: ["true"])), batch: 0),
        StepTemplate(idPrefix: "pilot/import",
            action: .mailboxImport(
                MailboxImportParameters(mbox: "/var/mail/{user}", format: "auto", timezone: importParameter, store: store, lock: true)),
            batch: 0, fanout: .perUser, dependencies: [.all(0)]),
    ]
    if !dropVerify {
        templates.append(StepTemplate(idPrefix: "pilot/verify",
            action: .mailboxVerify(
                MailboxVerifyParameters(mbox: "/var/mail/{user}", timezone: "UTC", store: store, mode: .digest,
                    importStep: StepReference(idPrefix: "pilot/import", sameUser: true))),
            batch: 0, fanout: .perUser, dependencies: [.sameUser(1)]))
    }
    let verify = StepReference(idPrefix: dropVerify ? "pilot/import" : "pilot/verify", sameUser: true)
    templates.append(StepTemplate(idPrefix: "pilot/retire",
        action: .sourceRetire(SourceRetireParameters(mbox: "/var/mail/{user}", mode: retireParameter, verifyStep: verify)),
        batch: 0, fanout: .perUser, dependencies: [.sameUser(dropVerify ? 1 : 2)]))
    return StepGraph(planName: "sample", strategy: "simple", users: names, batches: [batch], templates: templates)
}
