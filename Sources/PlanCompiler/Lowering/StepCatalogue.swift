import PlanModel
import Steps

/// Builds each step kind's typed parameters (`Steps/Kinds/`) from the plan's resolved values.
/// Per-user values keep their `{user}` placeholders; references to other steps come from the
/// templates the builder already emitted, never from formatted ids.
enum StepCatalogue {
    static func ldapSet(_ assignments: [String], _ c: LoweringContext, groups: [String] = []) -> StepAction {
        let d = c.plan.directory
        let classes = d?.objectClasses ?? []
        guard !groups.isEmpty else { return .ldapSet(LDAPSetParameters(set: assignments, objectClasses: classes.isEmpty ? nil : classes)) }
        return .ldapSet(
            LDAPSetParameters(
                set: assignments, objectClasses: classes.isEmpty ? nil : classes, groups: groups,
                groupFilter: d?.groupFilter ?? DirectorySpec.defaultGroupFilter, groupBase: d?.groupBase))
    }

    static func command(purpose: String, argv: [String], check: [String]? = nil, timeout: Int? = nil) -> StepAction {
        .command(CommandParameters(purpose: purpose, argv: argv, check: check, timeout: timeout))
    }

    static func run(purpose: String, _ r: RunSpec) -> StepAction {
        command(purpose: purpose, argv: r.run?.value ?? [], check: r.check?.value, timeout: r.timeout)
    }

    static func service(_ name: String, argv: [String], _ s: ServiceSpec) -> ServiceParameters {
        ServiceParameters(service: name, argv: argv, running: s.running?.value, pidFile: s.pidFile, wait: s.wait)
    }

    static func gate(_ message: String, autoApprove: Bool) -> StepAction {
        .gate(GateParameters(message: message, autoApprove: autoApprove))
    }

    static func mbox(_ c: LoweringContext) -> String {
        let spool = c.plan.source?.spool ?? "/var/mail"
        return (spool.hasSuffix("/") ? spool : spool + "/") + "{user}"
    }

    /// Where a store-writing kind writes (`count`: a verify, which never imports).
    static func store(_ c: LoweringContext, count: Bool = false) -> StoreTarget {
        let store = c.plan.store
        switch store?.kind ?? .maildir {
        case .maildir:
            return StoreTarget(kind: .maildir, host: c.storeHost, maildir: store?.path?.value ?? "", owner: store?.owner)
        case .command:
            return StoreTarget(
                kind: .command, host: c.storeHost, importArgv: count ? nil : store?.importArgv?.value, countArgv: store?.countArgv?.value,
                owner: store?.owner)
        }
    }

    static func timezone(_ c: LoweringContext) -> String { c.plan.source?.timezone ?? "UTC" }

    static func mailboxImport(_ c: LoweringContext) -> StepAction {
        let source = c.plan.source
        return .mailboxImport(
            MailboxImportParameters(
                mbox: mbox(c), format: source?.format.rawValue ?? "auto", timezone: timezone(c), store: store(c),
                lock: source?.lock ?? true,
                ifAmbiguous: source?.format == .auto ? source?.ifAmbiguous.flatMap { $0 == .refuse ? nil : $0.rawValue } : nil))
    }

    static func mailboxVerify(_ c: LoweringContext, importStep: StepReference) -> StepAction {
        .mailboxVerify(
            MailboxVerifyParameters(
                mbox: mbox(c), timezone: timezone(c), store: store(c, count: true), mode: VerifyMode(c.plan.policy.verify), importStep: importStep))
    }

    static func savedImport(_ c: LoweringContext, savedPath: String) -> StepAction {
        // The saved file's From_ lines are written by the legacy host's MTA, in the source's zone
        // (without it the driver would read them in the zone of whatever host runs mailshift).
        var target = store(c)
        // The mailbox a command store imports here is the saved file, not the spool.
        target.importArgv = target.importArgv?.map { StepParameters.expand($0, ["mbox": savedPath]) }
        return .savedImport(SavedImportParameters(savedPath: savedPath, timezone: timezone(c), store: target))
    }

    static func holdRelease(_ c: LoweringContext, spoolDir: String) -> StepAction {
        .holdRelease(HoldReleaseParameters(spoolDir: spoolDir, timezone: timezone(c), store: store(c)))
    }

    static func sourceRetire(_ c: LoweringContext, verifyStep: StepReference) -> StepAction {
        let policy = c.plan.policy
        return .sourceRetire(
            SourceRetireParameters(
                mbox: mbox(c), mode: RetireMode(policy.retireSource), archiveDir: policy.archiveDir?.value, verifyStep: verifyStep))
    }

    /// `{mbox}` in deluser's argv is the user's spool mailbox (its `{user}` is filled in per step).
    static func userDelete(_ c: LoweringContext, _ r: RunSpec, verifyStep: StepReference) -> StepAction {
        let mailbox = ["mbox": mbox(c)]
        let argv = (r.run?.value ?? []).map { StepParameters.expand($0, mailbox) }
        let check = r.check?.value.map { StepParameters.expand($0, mailbox) }
        return .userDelete(UserDeleteParameters(argv: argv, check: check, timeout: r.timeout, verifyStep: verifyStep))
    }

    /// Durations round up to whole seconds (a period of 0 means one pass).
    static func workingCheck(_ w: WorkingCheckSpec) -> StepAction {
        .workingCheck(
            WorkingCheckParameters(
                argv: w.run?.value ?? [], period: Int(w.period.rounded(.up)), interval: max(1, Int(w.interval.rounded(.up))), timeout: w.timeout))
    }

    static func forwardFile(_ c: LoweringContext) -> String { c.plan.forward?.file ?? "/home/{user}/.forward" }

    /// Only when not the default, so plans without the key keep their fingerprints.
    static func forwardOwner(_ c: LoweringContext) -> ForwardFileOwner? { c.plan.forward?.owner == .unchanged ? .unchanged : nil }

    static func forwardDivert(_ c: LoweringContext) -> StepAction {
        let f = c.plan.forward
        return .forwardDivert(
            ForwardDivertParameters(
                forwardFile: forwardFile(c), savedPath: f?.saved?.value ?? "", keepLocal: f?.keepLocal ?? false, owner: forwardOwner(c)))
    }

    static func forwardRestore(_ c: LoweringContext, divertStep: StepReference) -> StepAction {
        .forwardRestore(ForwardRestoreParameters(forwardFile: forwardFile(c), divertStep: divertStep, owner: forwardOwner(c)))
    }
}

extension VerifyMode {
    init(_ plan: PolicySpec.Verify) { self = plan == .count ? .count : .digest }
}

extension RetireMode {
    init(_ plan: PolicySpec.Retire) {
        switch plan {
        case .keep: self = .keep
        case .archive: self = .archive
        case .delete: self = .delete
        }
    }
}
