import Foundation
import Steps

/// `forward.divert`: for each user of the batch, write the user's `.forward` so new mail is saved
/// to the plan's saved-mail path (`"/var/mail.saved/alice"`, plus `\alice` with `keep_local`).
///
/// Order of work, so nothing is lost: every user's previous `.forward` (exact bytes, or "absent")
/// is read and checkpointed into the journal before the first write; a resumed step keeps the
/// previous content it recorded the first time (never mistaking its own diversion for the
/// user's file). Writes are atomic (temp file, fsync, rename), mode 0600, owned by the user.
/// The previous file's mode and owner are journaled too, and its bytes are also kept on the host
/// beside it (`.forward.mailshift-orig`, 0600, owned as the original) until `forward.restore`.
/// Before a user's `.forward` is written, the saved-mail file it names is created (empty, 0600,
/// the user's) when missing: sendmail appends to it as the user, and a file it cannot create
/// would turn every diverted message into a bounce.
///
/// Outputs per user: `previous.<user>` (the file before, for `forward.restore`) and
/// `written.<user>` (what mailshift wrote), both `absent` or `base64:…`, and
/// `previous_attributes.<user>` (`mode:uid:gid`, where the host can tell).
public struct ForwardDivertRunner: StepRunner {
    public let transport: any CommandTransport
    public let owner: ForwardOwner
    /// The mailshift agent on ssh hosts, which does the file work there.
    public let agentExecutable: String

    public init(transport: any CommandTransport, owner: ForwardOwner = .mailUser, agentExecutable: String = "mailshift") {
        self.transport = transport
        self.owner = owner
        self.agentExecutable = agentExecutable
    }

    private func diversions(_ step: StepInstance) throws -> [ForwardDiversion] {
        let p = try step.parameters(ForwardDivertParameters.self)
        let saved = try step.nonEmpty(p.savedPath, "saved_path")
        return try step.actingUsers.map {
            try ForwardDiversion(step: step, forwardFile: p.forwardFile, user: $0, savedPath: saved, keepLocal: p.keepLocal)
        }
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let host = step.targetHost
        let files = hostFiles(host, transport: transport, agentExecutable: agentExecutable)
        var changes: [PlannedChange] = []
        for d in try diversions(step) {
            // Mail arriving after this divert lands in the saved file: saved.import has work then.
            if let saved = d.savedPath { context.projection?.record(.savedMail(path: saved), ["diverted"]) }
            let current = try await files.read(d.path)
            if current == .present(d.content) { continue }
            let wanted = ForwardFileState.present(d.content).summary
            let saved = d.savedPath.map { " (creating \($0) if missing)" } ?? ""
            changes.append(PlannedChange(.modify, "\(host.name):\(d.path): \(current.summary) → \(wanted)\(saved)"))
        }
        return changes.isEmpty ? .done("every .forward already diverts") : .pending(changes)
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        try refuseDryRun(step, context)
        let host = step.targetHost
        let files = hostFiles(host, transport: transport, agentExecutable: agentExecutable)
        var all = try diversions(step)
        var outputs = context.previousOutputs ?? StepOutputs()
        // A user whose file cannot be read or written as it must be (a link, no home) is set
        // aside: not diverted, their mail keeps flowing as before; the others go on.
        var refused: [(user: String, failure: any StepFailure)] = []
        func setAside(_ user: String, _ failure: any StepFailure) {
            context.log("\(user): .forward not diverted: \(failure.summary)")
            refused.append((user, failure))
            all.removeAll { $0.user == user }
        }

        // 1. Record what is there now, durably, before touching anything.
        var current: [String: ForwardFileState] = [:]
        var record = StepOutputs()
        for d in all {
            let state: ForwardFileState
            let attributes: ForwardFileAttributes?
            do {
                (state, attributes) = try await files.readWithAttributes(d.path)
            } catch let failure as any StepFailure where failure.disposition == .permanent {
                setAside(d.user, failure)
                continue
            }
            current[d.user] = state
            let key = "previous.\(d.user)"
            if outputs[key] == nil {
                if state == .present(d.content) {
                    // Our own diversion with no record of what it replaced: restore will remove it.
                    context.log("\(host.name):\(d.path) already diverts but no previous content was journaled; recording it as absent")
                    record[key] = ForwardFileState.absent.encoded
                } else {
                    record[key] = state.encoded
                    if let attributes { record["previous_attributes.\(d.user)"] = attributes.encoded }
                }
            }
            record["written.\(d.user)"] = ForwardFileState.present(d.content).encoded
        }
        if record.values.keys.contains(where: { $0.hasPrefix("previous.") && outputs[$0] == nil }) {
            try await context.checkpoint(record)
        }
        outputs = outputs.merging(record)

        // 2. Write each user's diversion (skipping files already right), its saved-mail file first.
        var changed = 0
        for d in all {
            let fileOwner = (try step.parameters(ForwardDivertParameters.self).owner ?? owner) == .mailUser ? d.user : nil
            do {
                if let saved = d.savedPath { try await files.prepareAppendTarget(saved, owner: fileOwner) }
                if case .present(let previous) = outputs["previous.\(d.user)"].flatMap(ForwardFileState.init(encoded:)) {
                    let attributes = outputs["previous_attributes.\(d.user)"].flatMap(ForwardFileAttributes.init(encoded:))
                    try await files.write(d.backupPath, previous, owner: fileOwner, attributes: attributes?.privateCopy)
                }
                guard current[d.user] != .present(d.content) else { continue }
                try await files.write(d.path, d.content, owner: fileOwner)
                changed += 1
            } catch let failure as any StepFailure where failure.disposition == .permanent {
                setAside(d.user, failure)
            }
        }
        outputs["diverted"] = String(all.count)
        outputs["changed"] = String(changed)
        if !refused.isEmpty {
            try await context.checkpoint(outputs)
            throw UsersSetAside(failures: refused)
        }
        return outputs
    }
}
