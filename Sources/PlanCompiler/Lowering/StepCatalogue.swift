import PlanModel
import Steps

/// Builds each step kind's parameters exactly as `StepParameters+Catalogue.swift` lists them,
/// from the plan's resolved values. Per-user values keep their `{user}` placeholders.
enum StepCatalogue {
    typealias K = StepParameterKey

    static func ldapSet(_ assignments: [String], _ c: LoweringContext) -> StepParameters {
        var p = StepParameters([(K.set, .list(assignments))])
        if let classes = c.plan.directory?.objectClasses, !classes.isEmpty { p[K.objectClasses] = .list(classes) }
        return p
    }

    static func command(purpose: String, argv: [String], check: [String]? = nil, timeout: Int? = nil) -> StepParameters {
        var p = StepParameters([(K.purpose, .text(purpose)), (K.argv, .list(argv))])
        if let check { p[K.check] = .list(check) }
        p[K.perUser] = .flag(argv.contains { $0.contains("{user}") })
        if let timeout { p[K.timeout] = .number(timeout) }
        return p
    }

    static func run(purpose: String, _ r: RunSpec) -> StepParameters {
        command(purpose: purpose, argv: r.run?.value ?? [], check: r.check?.value, timeout: r.timeout)
    }

    static func service(_ name: String, argv: [String], _ s: ServiceSpec) -> StepParameters {
        var p = StepParameters([(K.service, .text(name)), (K.argv, .list(argv))])
        if let running = s.running { p[K.running] = .list(running.value) }
        if let pid = s.pidFile { p[K.pidFile] = .text(pid) }
        p[K.wait] = .number(s.wait)
        return p
    }

    static func gate(_ message: String, autoApprove: Bool) -> StepParameters {
        StepParameters([(K.message, .text(message)), (K.autoApprove, .flag(autoApprove))])
    }

    static func mbox(_ c: LoweringContext) -> String {
        let spool = c.plan.source?.spool ?? "/var/mail"
        return (spool.hasSuffix("/") ? spool : spool + "/") + "{user}"
    }

    /// The store's destination keys, shared by every kind that writes into the store.
    static func storeKeys(_ c: LoweringContext, into p: inout StepParameters, count: Bool = false) {
        let store = c.plan.store
        let kind = store?.kind ?? .maildir
        p[K.storeKind] = .text(kind.rawValue)
        p[K.storeHost] = .text(c.storeHost)
        switch kind {
        case .maildir:
            p[K.maildir] = .text(store?.path?.value ?? "")
        case .command:
            if let a = store?.importArgv, !count { p[K.importArgv] = .list(a.value) }
            if let a = store?.countArgv { p[K.countArgv] = .list(a.value) }
        }
    }

    static func mailboxImport(_ c: LoweringContext) -> StepParameters {
        let source = c.plan.source
        var p = StepParameters([
            (K.mbox, .text(mbox(c))), (K.format, .text(source?.format.rawValue ?? "auto")),
            (K.timezone, .text(source?.timezone ?? "UTC")),
        ])
        storeKeys(c, into: &p)
        if let owner = c.plan.store?.owner { p[K.owner] = .text(owner) }
        p[K.lock] = .flag(source?.lock ?? true)
        return p
    }

    static func mailboxVerify(_ c: LoweringContext, batch: String) -> StepParameters {
        var p = StepParameters([(K.mbox, .text(mbox(c)))])
        storeKeys(c, into: &p, count: true)
        p[K.mode] = .text(c.plan.policy.verify.rawValue)
        p[K.importStep] = .text("\(batch)/import/{user}")
        return p
    }

    static func savedImport(_ c: LoweringContext, savedPath: String) -> StepParameters {
        // The saved file's From_ lines are written by the legacy host's MTA, in the source's zone
        // (without it the driver would read them in the zone of whatever host runs mailshift).
        var p = StepParameters([
            (K.savedPath, .text(savedPath)), (K.timezone, .text(c.plan.source?.timezone ?? "UTC")),
        ])
        storeKeys(c, into: &p)
        // Replayed mail belongs to the store's owner like imported mail (else it lands root's).
        if let owner = c.plan.store?.owner { p[K.owner] = .text(owner) }
        // The mailbox a command store imports here is the saved file, not the spool.
        if let argv = p.list(K.importArgv) {
            p[K.importArgv] = .list(argv.map { StepParameters.expand($0, ["mbox": savedPath]) })
        }
        return p
    }

    static func holdRelease(_ c: LoweringContext, spoolDir: String) -> StepParameters {
        var p = StepParameters([(K.spoolDir, .text(spoolDir))])
        storeKeys(c, into: &p)
        if let owner = c.plan.store?.owner { p[K.owner] = .text(owner) }
        return p
    }

    static func sourceRetire(_ c: LoweringContext, batch: String) -> StepParameters {
        let policy = c.plan.policy
        var p = StepParameters([(K.mbox, .text(mbox(c))), (K.mode, .text(policy.retireSource.rawValue))])
        if let dir = policy.archiveDir { p[K.archiveDir] = .text(dir.value) }
        if let argv = c.plan.services.deluser?.run { p[K.argv] = .list(argv.value) }
        p[K.verifyStep] = .text("\(batch)/verify/{user}")
        return p
    }

    static func forwardDivert(_ c: LoweringContext) -> StepParameters {
        let f = c.plan.forward
        var p = StepParameters([
            (K.forwardFile, .text(f?.file ?? "/home/{user}/.forward")), (K.savedPath, .text(f?.saved?.value ?? "")),
            (K.keepLocal, .flag(f?.keepLocal ?? false)),
        ])
        // Only when not the default, so plans without the key keep their fingerprints.
        if f?.owner == .unchanged { p[K.forwardOwner] = .text("unchanged") }
        return p
    }

    static func forwardRestore(_ c: LoweringContext, batch: String) -> StepParameters {
        var p = StepParameters([
            (K.forwardFile, .text(c.plan.forward?.file ?? "/home/{user}/.forward")), (K.divertStep, .text("\(batch)/divert")),
        ])
        if c.plan.forward?.owner == .unchanged { p[K.forwardOwner] = .text("unchanged") }
        return p
    }
}
