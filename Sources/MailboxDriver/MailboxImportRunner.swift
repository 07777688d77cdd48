import CommandDriver
import Foundation
import SafeFiles
import Steps

/// `mailbox.import`: one user's spool mailbox into the store.
///
/// Maildir stores: `MboxImport` here, or the agent on the host for `connect: ssh`. Command stores
/// (`store_kind: command`): `count_argv` before (checkpointed), `import_argv`, `count_argv`
/// after; a resumed step whose count already grew by the source's messages does not re-run the
/// command. A missing mailbox is an empty one (a user who never received mail).
public struct MailboxImportRunner: StepRunner {
    public var agent: MailboxAgent

    public init(transport: any CommandTransport, agentExecutable: String = "mailshift", agentVersion: String? = nil) {
        agent = MailboxAgent(transport: transport, executable: agentExecutable, expectedVersion: agentVersion)
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        var p = try MailboxStepParameters(step)
        p.pinVariant(to: context.previousOutputs?.decode(MailboxImportOutputs.self))
        let mbox = try p.require(p.mbox, "mbox", step)
        if p.storeKind == .command {
            let n = try await sourceInspection(step, p, mbox, maildir: nil)
            return Inspection.unknown(
                "an import command cannot tell what it already imported",
                changes: [PlannedChange(.run, "import \(n.messages.grouped) messages, \(n.bytes.byteText) with \(p.importArgv?.first ?? "the import command")", messages: n.messages, bytes: n.bytes)]
            ).observing(mbox, n.source)
        }
        let maildir = try p.require(p.maildir, "maildir", step)
        if let route = CrossHostRoute(step, store: p.store, context: context) {
            // Read-only on both hosts: the source's message names (read on the legacy host)
            // against the Maildir's (on the store host), as a count verify does.
            var read = p.readRequest(.sourceDigests, mbox: mbox)
            (read.mode, read.tagPrefix, read.lock) = ("count", "m", false)
            var compare = p.storeRequest(.verifyMaildir, maildir: maildir)
            compare.mode = "count"
            let r = try await agent.crossHost().verify(source: route.source, store: route.store, read: read, compare: compare)
            let pending = r.missingCount ?? r.missing.count
            if pending == 0 { return Inspection.done("\(r.sourceMessages.grouped) messages already in \(maildir) on \(route.store.name)").observing(mbox, r.source) }
            return Inspection.pending([PlannedChange(.add, "import \(pending.grouped) messages from \(route.source.name) into \(maildir) on \(route.store.name)", messages: pending)])
                .observing(mbox, r.source)
        }
        if let delta = try precopyInspection(step, mbox: mbox, maildir: maildir, context: context) { return delta }
        let n = try await sourceInspection(step, p, mbox, maildir: maildir)
        // The preview meets the refusal the import would (an import command reads the file
        // itself, and counting is the same under both readings).
        if n.ambiguous == true && p.ifAmbiguous == .refuse {
            throw MboxError.ambiguous(mbox, offset: 0)
        }
        let pending = n.pending ?? n.messages
        if pending == 0 { return Inspection.done("\(n.messages.grouped) messages already in \(maildir)").observing(mbox, n.source) }
        let bytes = n.pendingBytes ?? n.bytes
        return Inspection.pending([PlannedChange(.add, "import \(pending.grouped) messages, \(bytes.byteText) (\(n.variant)) into \(maildir)", messages: pending, bytes: bytes)])
            .observing(mbox, n.source)
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        guard !context.dryRun else { throw StepRefusal(.applyDuringDryRun) }
        var p = try MailboxStepParameters(step)
        // A resume, or mail that arrived before verify: read as the first import read it.
        p.pinVariant(to: context.previousOutputs?.decode(MailboxImportOutputs.self))
        let mbox = try p.require(p.mbox, "mbox", step)
        if p.storeKind == .command { return try await applyCommand(step, p, mbox, context) }
        let maildir = try p.require(p.maildir, "maildir", step)
        if let precopy = try await applyPrecopy(step, p, mbox: mbox, maildir: maildir, context: context) { return precopy }
        let report: MboxImportReport
        if let route = CrossHostRoute(step, store: p.store, context: context) {
            // Two machines: read on the source host, relayed here, written on the store host.
            (_, report) = try await agent.crossHost().importMailbox(
                source: route.source, store: route.store, read: p.readRequest(.readMailbox, mbox: mbox),
                write: p.storeRequest(.writeMaildir, maildir: maildir))
        } else if let host = step.remoteHost {
            report = try await agent.call(
                ["mbox", "import", mbox, "--maildir", maildir, "--variant", p.variant.rawValue, "--timezone", p.timeZone.identifier,
                 "--format", "json", "--if-ambiguous", p.ifAmbiguous.rawValue] + (p.lock ? ["--lock"] : [])
                    + (p.owner.map { ["--owner", $0] } ?? []),
                on: host, timeout: 86400, as: MboxImportReport.self)
        } else if try !SourceFile.exists(mbox) {
            context.log("\(mbox): no mailbox, nothing to import")
            var none = MailboxImportOutputs(messages: 0, sourceIdentity: "absent")
            (none.bytes, none.imported, none.maildir) = (0, 0, maildir)
            return StepOutputs(encoding: none)
        } else {
            let options = try p.importOptions(step)
            report = try await BlockingWork.run { try MboxImport.run(file: mbox, maildir: maildir, options: options) }
        }
        for w in report.warnings.prefix(20) { context.log("\(mbox): \(w)") }
        return Self.outputs(report)
    }

    static func outputs(_ r: MboxImportReport) -> StepOutputs {
        var o = MailboxImportOutputs(messages: r.messages, sourceIdentity: r.source)
        (o.bytes, o.imported, o.importedBytes, o.present) = (r.bytes, r.imported, r.importedBytes, r.present)
        (o.variant, o.detected, o.digestSummary, o.warnings, o.maildir) = (r.variant, r.detected, r.digestSummary, r.warningCount, r.maildir)
        o.duplicates = r.duplicates > 0 ? r.duplicates : nil
        (o.firstDate, o.lastDate) = (r.firstDate.map { Int($0) }, r.lastDate.map { Int($0) })
        return StepOutputs(encoding: o)
    }

    /// The source's counts, read here or by the agent on the step's host.
    func sourceInspection(_ step: StepInstance, _ p: MailboxStepParameters, _ mbox: String, maildir: String?) async throws -> MboxInspection {
        if let host = step.remoteHost {
            let list = try await agent.call(
                ["mbox", "inspect", mbox, "--format", "json", "--variant", p.variant.rawValue, "--timezone", p.timeZone.identifier,
                 "--if-ambiguous", p.ifAmbiguous.rawValue]
                    + (maildir.map { ["--maildir", $0] } ?? []),
                on: host, timeout: 3600, as: [MboxInspection].self)
            guard let first = list.first else {
                throw MailboxFailure(.agentUnreadable(detail: "no inspection of the mailbox"), file: mbox, host: host.name)
            }
            return first
        }
        guard try SourceFile.exists(mbox) else {
            return MboxInspection(file: mbox, variant: p.variant.rawValue, detected: false, messages: 0, bytes: 0, flags: [:],
                skippedInternal: 0, warningCount: 0, warnings: [], source: "absent", pending: 0, pendingBytes: 0)
        }
        let (variant, tz, reading) = (p.variant, p.timeZone, p.ifAmbiguous)
        return try await BlockingWork.run {
            try MboxInspection.of(file: mbox, variant: variant, timeZone: tz, maildir: maildir, ifAmbiguous: reading)
        }
    }

    func applyCommand(_ step: StepInstance, _ p: MailboxStepParameters, _ mbox: String, _ context: StepContext) async throws -> StepOutputs {
        guard let importArgv = p.importArgv, !importArgv.isEmpty else {
            throw StepRefusal(.missingParameter(key: "import_argv"))
        }
        let source = try await sourceInspection(step, p, mbox, maildir: nil)
        let route = CrossHostRoute(step, store: p.store, context: context)
        // The store's count and import run where the store is (the step's host holds the source).
        let storeHost = route?.store ?? step.commandHost
        var outputs = MailboxImportOutputs(messages: source.messages, sourceIdentity: source.source)
        outputs.bytes = source.bytes
        if let countArgv = p.countArgv {
            // The count before the import is checkpointed before the import runs: a resume then
            // tells "already imported" from "not yet" by the store's growth.
            let saved = context.previousOutputs?.decode(StoreCountCheckpoint.self)?.countBefore
            let before: Int
            if let saved {
                before = saved
            } else {
                before = try await StoreCount.run(countArgv, on: storeHost, agent: agent)
                try await context.checkpoint(StepOutputs(encoding: StoreCountCheckpoint(countBefore: before)))
            }
            outputs.countBefore = before
            let now = try await StoreCount.run(countArgv, on: storeHost, agent: agent)
            if now >= before + source.messages, saved != nil {
                outputs.countAfter = now
                return StepOutputs(encoding: outputs)
            }
        }
        if let route {
            // Two machines: the file's bytes relayed to the store host, imported there from a copy.
            try await agent.importCommand(step, route: route, read: p.readRequest(.readFile, mbox: mbox), run: p.commandRequest(mbox: mbox, argv: importArgv))
        } else {
            _ = try await agent.transport.runSucceeding(importArgv, on: step.commandHost, timeout: 86400)
        }
        if let countArgv = p.countArgv {
            outputs.countAfter = try await StoreCount.run(countArgv, on: storeHost, agent: agent)
        }
        return StepOutputs(encoding: outputs)
    }
}

/// What a command-store import checkpoints before running the site's import command.
struct StoreCountCheckpoint: Codable {
    var countBefore: Int
    enum CodingKeys: String, CodingKey { case countBefore = "count_before" }
}

/// A command store's message count: the first integer `count_argv` prints.
enum StoreCount {
    static func run(_ argv: [String], on host: HostEndpoint, agent: MailboxAgent) async throws -> Int {
        let outcome = try await agent.transport.runSucceeding(argv, on: host, timeout: 600)
        let text = String(decoding: outcome.stdout, as: UTF8.self)
        guard let n = text.split(whereSeparator: { !$0.isNumber }).first.flatMap({ Int($0) }) else {
            throw MailboxFailure(.storeCountUnreadable(command: CommandFailure.render(argv)), host: host.name)
        }
        return n
    }
}
