import CommandDriver
import Foundation
import SafeFiles
import Steps

/// `saved.import`: the mail a `.forward` saved during the move (an mboxo file, `>From ` escaped,
/// as sendmail's file mailer writes it) into the store after the main import; messages already
/// imported (same canonical digest, e.g. a `\user` local copy) are skipped; dates are kept.
/// Its messages are named `s<offset>`, so a re-run adds nothing twice.
public struct SavedImportRunner: StepRunner {
    public var agent: MailboxAgent

    public init(transport: any CommandTransport, agentExecutable: String = "mailshift", agentVersion: String? = nil) {
        agent = MailboxAgent(transport: transport, executable: agentExecutable, expectedVersion: agentVersion)
    }

    func paths(_ step: StepInstance) throws -> (saved: String, maildir: String?, p: MailboxStepParameters) {
        let p = try MailboxStepParameters(step)
        let saved = try step.parameters(SavedImportParameters.self).savedPath
        guard saved.hasPrefix("/"), !saved.split(separator: "/").contains("..") else {
            throw StepRefusal(.invalidParameter(key: "saved_path", value: saved, expected: "must be an absolute path without '..'"))
        }
        return (saved, p.maildir, p)
    }

    /// Saved mail's names start `s` (spool mail's `m`): the two never collide.
    let savedTagPrefix = "s"

    /// The saved file's variant: mboxo unless the plan pinned one.
    func variant(_ p: MailboxStepParameters) -> MboxVariant { p.variant == .auto ? .mboxo : p.variant }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let (saved, maildir, p) = try paths(step)
        guard step.remoteHost == nil, CrossHostRoute(step, store: p.store, context: context) == nil else {
            return .unknown("the saved mail is on \(step.host?.name ?? "a remote host")", changes: [PlannedChange(.add, "import saved mail \(saved)")])
        }
        guard try SourceFile.exists(saved) else {
            if context.projection?.values(.savedMail(path: saved)) != nil {
                return .unknown(
                    "the divert before it saves whatever mail arrives meanwhile",
                    changes: [PlannedChange(.add, "import the mail saved in \(saved) after the divert")])
            }
            return .done("no saved mail at \(saved)")
        }
        if p.storeKind == .command {
            return .unknown("an import command cannot tell what it already imported", changes: [PlannedChange(.run, "import saved mail \(saved)")])
        }
        let dir = try p.require(maildir, "maildir", step)
        let options = try p.importOptions(step, tagPrefix: savedTagPrefix, deduplicate: true, variant: variant(p))
        let n = try await BlockingWork.run { try MboxImport.preview(file: saved, maildir: dir, options: options) }
        if n.pending == 0 { return .done("\(n.tally.messages.grouped) saved messages already in \(dir)") }
        return .pending([PlannedChange(.add, "import \(n.pending.grouped) saved messages, \(n.pendingBytes.byteText) into \(dir)", messages: n.pending, bytes: n.pendingBytes)])
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        guard !context.dryRun else { throw StepRefusal(.applyDuringDryRun) }
        let (saved, maildir, p) = try paths(step)
        if p.storeKind == .command {
            guard let argv = p.importArgv, !argv.isEmpty else { throw StepRefusal(.missingParameter(key: "import_argv")) }
            if let route = CrossHostRoute(step, store: p.store, context: context) {
                // The saved file is on the legacy host, the site's import tool on the store host.
                var read = p.readRequest(.readFile, mbox: saved, variant: variant(p))
                read.lock = false
                try await agent.importCommand(step, route: route, read: read, run: p.commandRequest(mbox: saved, argv: argv))
                return ["command": "done"]
            }
            _ = try await agent.transport.runSucceeding(argv, on: step.commandHost, timeout: 86400)
            return ["command": "done"]
        }
        let dir = try p.require(maildir, "maildir", step)
        if let route = CrossHostRoute(step, store: p.store, context: context) {
            // The saved file is on the legacy host; it goes the two-host way, skipping by digest
            // what the main import already stored.
            var write = p.storeRequest(.writeMaildir, maildir: dir)
            (write.tagPrefix, write.deduplicate) = (savedTagPrefix, true)
            var read = p.readRequest(.readMailbox, mbox: saved, variant: variant(p))
            read.lock = false
            let (_, r) = try await agent.crossHost().importMailbox(source: route.source, store: route.store, read: read, write: write)
            return MailboxImportRunner.outputs(r)
        }
        if let host = step.remoteHost {
            let r = try await agent.call(
                ["mbox", "import", saved, "--maildir", dir, "--variant", variant(p).rawValue, "--timezone", p.timeZone.identifier,
                 "--saved", "--format", "json"] + (p.owner.map { ["--owner", $0] } ?? []), on: host, timeout: 86400, as: MboxImportReport.self)
            return MailboxImportRunner.outputs(r)
        }
        guard try SourceFile.exists(saved) else {
            var none = MailboxImportOutputs(messages: 0, sourceIdentity: "absent")
            none.imported = 0
            return StepOutputs(encoding: none)
        }
        let options = try p.importOptions(step, tagPrefix: savedTagPrefix, deduplicate: true, variant: variant(p))
        let r = try await BlockingWork.run { try MboxImport.run(file: saved, maildir: dir, options: options) }
        return MailboxImportRunner.outputs(r)
    }
}
