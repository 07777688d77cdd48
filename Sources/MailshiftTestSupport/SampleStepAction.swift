import Steps

extension StepAction {
    /// A well-formed action of `kind` with every optional parameter set: for tests that care about
    /// the graph's shape, and for the check that docs/architecture.md lists every key.
    public static func sample(_ kind: StepKind) -> StepAction {
        let store = StoreTarget(
            kind: .maildir, host: "store", maildir: "/srv/mail/{user}", importArgv: ["import", "{mbox}"], countArgv: ["count"],
            owner: "vmail")
        let same = { (prefix: String) in StepReference(idPrefix: prefix, sameUser: true) }
        let service = ServiceParameters(service: "sample", argv: ["true"], running: ["true"], pidFile: "/run/sample.pid", wait: 1)
        switch kind {
        case .ldapSet:
            return .ldapSet(
                LDAPSetParameters(
                    set: ["mailHost=store.example.edu"], objectClasses: ["mailRecipient"], groups: ["staff-list"],
                    groupFilter: "(cn={group})", groupBase: "ou=Groups,dc=example,dc=edu"))
        case .command: return .command(CommandParameters(purpose: "sample", argv: ["true"], check: ["true"], timeout: 60))
        case .serviceStop: return .serviceStop(service)
        case .serviceStart: return .serviceStart(service)
        case .forwardDivert:
            return .forwardDivert(
                ForwardDivertParameters(forwardFile: "/home/{user}/.forward", savedPath: "/var/mail.saved/{user}", keepLocal: false, owner: .unchanged))
        case .forwardRestore:
            return .forwardRestore(ForwardRestoreParameters(forwardFile: "/home/{user}/.forward", divertStep: same("divert"), owner: .unchanged))
        case .mailboxImport:
            return .mailboxImport(MailboxImportParameters(mbox: "/var/mail/{user}", format: "auto", timezone: "UTC", store: store, lock: true, ifAmbiguous: "mboxo"))
        case .mailboxVerify:
            return .mailboxVerify(MailboxVerifyParameters(mbox: "/var/mail/{user}", timezone: "UTC", store: store, mode: .digest, importStep: same("import")))
        case .savedImport: return .savedImport(SavedImportParameters(savedPath: "/var/mail.saved/{user}", timezone: "UTC", store: store))
        case .holdRelease: return .holdRelease(HoldReleaseParameters(spoolDir: "/var/hold/{user}", timezone: "UTC", store: store))
        case .sourceRetire:
            return .sourceRetire(
                SourceRetireParameters(mbox: "/var/mail/{user}", mode: .archive, archiveDir: "/var/mail.archive", argv: ["imdeluser", "{user}"],
                    verifyStep: same("verify")))
        case .gate: return .gate(GateParameters(message: "sample", autoApprove: false))
        case .workingCheck: return .workingCheck(WorkingCheckParameters(argv: ["check-delivery"], period: 600, interval: 30, timeout: 60))
        case .ldapCreate:
            return .ldapCreate(LDAPCreateParameters(dn: "uid={user},ou=People,dc=example,dc=edu", attributes: ["objectClass=inetOrgPerson", "cn={user}"]))
        case .userDelete:
            return .userDelete(UserDeleteParameters(argv: ["imdeluser", "{user}"], check: ["imcheck", "{user}"], timeout: 60, verifyStep: same("verify")))
        }
    }
}
