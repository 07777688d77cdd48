import Steps

extension StepAction {
    /// A well-formed action of `kind` for tests that care about the graph's shape, not parameters.
    public static func sample(_ kind: StepKind) -> StepAction {
        let store = StoreTarget(kind: .maildir, host: "store", maildir: "/srv/mail/{user}")
        let same = { (prefix: String) in StepReference(idPrefix: prefix, sameUser: true) }
        switch kind {
        case .ldapSet: return .ldapSet(LDAPSetParameters(set: ["mailHost=store.example.edu"]))
        case .command: return .command(CommandParameters(purpose: "sample", argv: ["true"]))
        case .serviceStop: return .serviceStop(ServiceParameters(service: "sample", argv: ["true"], wait: 1))
        case .serviceStart: return .serviceStart(ServiceParameters(service: "sample", argv: ["true"], wait: 1))
        case .forwardDivert:
            return .forwardDivert(ForwardDivertParameters(forwardFile: "/home/{user}/.forward", savedPath: "/var/mail.saved/{user}", keepLocal: false))
        case .forwardRestore: return .forwardRestore(ForwardRestoreParameters(forwardFile: "/home/{user}/.forward", divertStep: same("divert")))
        case .mailboxImport:
            return .mailboxImport(MailboxImportParameters(mbox: "/var/mail/{user}", format: "auto", timezone: "UTC", store: store, lock: true))
        case .mailboxVerify:
            return .mailboxVerify(MailboxVerifyParameters(mbox: "/var/mail/{user}", timezone: "UTC", store: store, mode: .digest, importStep: same("import")))
        case .savedImport: return .savedImport(SavedImportParameters(savedPath: "/var/mail.saved/{user}", timezone: "UTC", store: store))
        case .holdRelease: return .holdRelease(HoldReleaseParameters(spoolDir: "/var/hold/{user}", timezone: "UTC", store: store))
        case .sourceRetire: return .sourceRetire(SourceRetireParameters(mbox: "/var/mail/{user}", mode: .keep, verifyStep: same("verify")))
        case .gate: return .gate(GateParameters(message: "sample", autoApprove: false))
        }
    }
}
