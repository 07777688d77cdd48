import Foundation
import Steps

/// `forward.restore`: put back each user's `.forward` as it was before `forward.divert`, from the
/// divert step's journaled outputs: the previous bytes, or no file at all.
///
/// A `.forward` that no longer holds mailshift's diversion was changed by someone since; it is
/// left alone (and reported), so a user's own edit is never overwritten. `inspect` only reads.
/// A rewritten file gets its journaled mode and owner back; the host-side copy the divert kept
/// (`.forward.mailshift-orig`) is removed once the `.forward` is as it was (kept when left alone).
/// Outputs per user: `restored.<user>` = `written`, `removed`, `unchanged` or `left: changed since divert`.
public struct ForwardRestoreRunner: StepRunner {
    public let transport: any CommandTransport
    public let owner: ForwardOwner
    /// The mailshift agent on ssh hosts, which does the file work there.
    public let agentExecutable: String

    public init(transport: any CommandTransport, owner: ForwardOwner = .mailUser, agentExecutable: String = "mailshift") {
        self.transport = transport
        self.owner = owner
        self.agentExecutable = agentExecutable
    }

    private struct Restoration {
        var diversion: ForwardDiversion
        var previous: ForwardFileState
        var written: ForwardFileState?
        var attributes: ForwardFileAttributes?
    }

    private enum Action { case none, write(Data), remove, leave }

    private func restorations(_ step: StepInstance, context: StepContext) throws -> [Restoration] {
        let p = try step.parameters(ForwardRestoreParameters.self)
        let divertID = p.divertStep.id
        guard let recorded = context.outputs(of: divertID) else {
            throw StepRefusal(.missingRecord(step: divertID, what: "has no journaled outputs; nothing is known to restore"))
        }
        return try step.actingUsers.map { user in
            let d = try ForwardDiversion(step: step, forwardFile: p.forwardFile, user: user, savedPath: nil, keepLocal: false)
            guard let text = recorded["previous.\(user)"], let previous = ForwardFileState(encoded: text) else {
                throw StepRefusal(.missingRecord(step: divertID, what: "recorded no previous .forward for \(user)"))
            }
            return Restoration(
                diversion: d, previous: previous, written: recorded["written.\(user)"].flatMap(ForwardFileState.init(encoded:)),
                attributes: recorded["previous_attributes.\(user)"].flatMap(ForwardFileAttributes.init(encoded:)))
        }
    }

    private func action(_ r: Restoration, current: ForwardFileState) -> Action {
        if current == r.previous { return .none }
        // Only our own diversion (or a file someone removed) is replaced.
        guard current == .absent || r.written == nil || current == r.written else { return .leave }
        switch r.previous {
        case .absent: return .remove
        case .present(let data): return .write(data)
        }
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let host = step.targetHost
        // Before the divert has run (a dry-run of a fresh plan), what will be restored is whatever
        // the divert finds then: say so rather than fail the preview.
        let divertID = try step.parameters(ForwardRestoreParameters.self).divertStep.id
        if context.outputs(of: divertID) == nil {
            return .pending([
                PlannedChange(.modify, "\(host.name): put back the .forward files \(divertID) will find, for \(step.actingUsers.count) users")
            ])
        }
        let files = hostFiles(host, transport: transport, agentExecutable: agentExecutable)
        var changes: [PlannedChange] = []
        var notes: [String] = []
        for r in try restorations(step, context: context) {
            let current = try await files.read(r.diversion.path)
            let where_ = "\(host.name):\(r.diversion.path)"
            switch action(r, current: current) {
            case .none: continue
            case .leave: notes.append("\(where_) changed since the divert; it will be left alone")
            case .remove: changes.append(PlannedChange(.remove, "\(where_): \(current.summary) → absent"))
            case .write: changes.append(PlannedChange(.modify, "\(where_): \(current.summary) → \(r.previous.summary)"))
            }
        }
        if changes.isEmpty { return .done(notes.isEmpty ? "every .forward is as it was" : notes.joined(separator: "; ")) }
        var inspection = Inspection.pending(changes)
        if !notes.isEmpty { inspection.reason = notes.joined(separator: "; ") }
        return inspection
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        try refuseDryRun(step, context)
        let host = step.targetHost
        let files = hostFiles(host, transport: transport, agentExecutable: agentExecutable)
        var outputs = StepOutputs()
        var refused: [(user: String, failure: any StepFailure)] = []
        for r in try restorations(step, context: context) {
            let user = r.diversion.user
            // One user's file (turned into a link while the batch waited, say) must not keep the
            // rest of the batch diverted: it is set aside, the others are restored.
            do {
                outputs["restored.\(user)"] = try await restore(r, step: step, files: files, host: host, context: context)
            } catch let failure as any StepFailure where failure.disposition == .permanent {
                context.log("\(user): .forward not restored: \(failure.summary)")
                outputs["restored.\(user)"] = "refused"
                refused.append((user, failure))
            }
        }
        guard refused.isEmpty else {
            try await context.checkpoint(outputs)
            throw UsersSetAside(failures: refused)
        }
        return outputs
    }

    private func restore(_ r: Restoration, step: StepInstance, files: any HostFiles, host: HostEndpoint, context: StepContext)
        async throws -> String
    {
        let user = r.diversion.user
        let current = try await files.read(r.diversion.path)
        switch action(r, current: current) {
        case .none:
            try await files.remove(r.diversion.backupPath)
            return "unchanged"
        case .leave:
            context.log("\(host.name):\(r.diversion.path) was changed since the divert; left as it is")
            return "left: changed since divert"
        case .remove:
            try await files.remove(r.diversion.path)
            try await files.remove(r.diversion.backupPath)
            return "removed"
        case .write(let data):
            let fileOwner = (try step.parameters(ForwardRestoreParameters.self).owner ?? owner) == .mailUser ? user : nil
            try await files.write(r.diversion.path, data, owner: fileOwner, attributes: r.attributes)
            try await files.remove(r.diversion.backupPath)
            return "written"
        }
    }
}
