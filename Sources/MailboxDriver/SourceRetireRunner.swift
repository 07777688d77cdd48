import Diagnostics
import CommandDriver
import Foundation
import SafeFiles
import Glibc
import Steps

/// `source.retire`: keep, archive (move, preserving the file) or delete a source mailbox, then
/// run the optional `argv` (e.g. imdeluser). Irreversible, so it acts only when the journaled
/// outputs of `verify_step` say passed, and only if the source is exactly as verify saw it
/// (mail that arrived since would otherwise be lost).
public struct SourceRetireRunner: StepRunner {
    public var transport: any CommandTransport
    public var agent: MailboxAgent

    public init(transport: any CommandTransport, agentExecutable: String = "mailshift", agentVersion: String? = nil) {
        self.transport = transport
        agent = MailboxAgent(transport: transport, executable: agentExecutable, expectedVersion: agentVersion)
    }

    struct Plan: Sendable {
        var mbox: String
        var mode: String
        var archivePath: String?
        var argv: [String]?
        var verifyStep: String
    }

    func plan(_ step: StepInstance) throws -> Plan {
        let p = try step.parameters(SourceRetireParameters.self)
        let mbox = p.mbox
        guard mbox.hasPrefix("/"), !mbox.split(separator: "/").contains("..") else {
            throw StepRefusal(.invalidParameter(key: "mbox", value: mbox, expected: "must be an absolute path without '..'"))
        }
        var archive: String?
        if p.mode == .archive {
            guard let dir = p.archiveDir, dir.hasPrefix("/"), !dir.split(separator: "/").contains("..") else {
                throw StepRefusal(.invalidParameter(key: "archive_dir", value: p.archiveDir ?? "", expected: "archive needs an absolute path without '..'"))
            }
            archive = dir + "/" + (mbox.split(separator: "/").last.map(String.init) ?? "mbox")
        }
        return Plan(mbox: mbox, mode: p.mode.rawValue, archivePath: archive, argv: p.argv, verifyStep: p.verifyStep.id)
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let plan = try plan(step)
        if step.remoteHost != nil && plan.mode != "keep" {
            return .unknown("the source is on \(step.host?.name ?? "a remote host")", changes: [PlannedChange(.irreversible, "irreversible: \(plan.mode) \(plan.mbox)")])
        }
        let exists = try SourceFile.exists(plan.mbox)
        var changes: [PlannedChange] = []
        switch plan.mode {
        case "archive" where exists: changes.append(PlannedChange(.irreversible, "irreversible: archive \(plan.mbox) → \(plan.archivePath ?? "")"))
        case "delete" where exists: changes.append(PlannedChange(.irreversible, "irreversible: delete \(plan.mbox)"))
        default: break
        }
        if let argv = plan.argv, !argv.isEmpty, context.previousOutputs?["argv_done"] != "true" {
            changes.append(PlannedChange(.irreversible, "irreversible: run " + argv.joined(separator: " ")))
        }
        return changes.isEmpty ? .done(plan.mode == "keep" ? "source kept" : "source already retired") : .pending(changes)
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        guard !context.dryRun else { throw StepRefusal(.applyDuringDryRun) }
        let plan = try plan(step)
        guard let verified = context.outputs(of: plan.verifyStep)?.decode(MailboxVerifyOutputs.self), verified.passed else {
            throw StepRefusal(.notVerified(verifyStep: plan.verifyStep, action: "retire \(plan.mbox)"), subject: RunSubject(file: plan.mbox))
        }
        var outputs: StepOutputs = ["mode": plan.mode, "verified_identity": verified.sourceIdentity]
        if plan.mode != "keep" {
            let identity = verified.sourceIdentity
            if let host = step.remoteHost {
                let r = try await agent.call(
                    ["mbox", "retire", plan.mbox, "--mode", plan.mode, "--expect", identity, "--format", "json"]
                        + (plan.archivePath.map { ["--archive-to", $0] } ?? [])
                        + (verified.sourceEdges.map { ["--expect-edges", $0] } ?? []),
                    on: host, timeout: 3600, as: SourceRetire.Result.self)
                outputs["archived_to"] = r.archivedTo
            } else {
                outputs["archived_to"] = try await BlockingWork.run { [plan] in
                    try SourceRetire.run(
                        mbox: plan.mbox, mode: plan.mode, archivePath: plan.archivePath, verifiedIdentity: identity,
                        verifiedEdges: verified.sourceEdges
                    ).archivedTo
                }
            }
        }
        if let argv = plan.argv, !argv.isEmpty, context.previousOutputs?["argv_done"] != "true" {
            _ = try await transport.runSucceeding(argv, on: step.commandHost, timeout: 600)
            outputs["argv_done"] = "true"
            try await context.checkpoint(outputs)
        }
        return outputs
    }
}

/// Archives or deletes a source mailbox under the spool lock, after checking it is exactly the
/// file verify saw (shared by the runner and `mailshift mbox retire`, the agent on ssh hosts).
public enum SourceRetire {
    public struct Result: Sendable, Hashable, Codable {
        public var mode: String
        public var archivedTo: String?
        /// False when an earlier attempt had already done it.
        public var acted: Bool
    }

    public static func run(
        mbox: String, mode: String, archivePath: String?, verifiedIdentity verified: String, verifiedEdges: String? = nil
    ) throws -> Result {
        guard mode == "archive" || mode == "delete" else { return Result(mode: mode, archivedTo: nil, acted: false) }
        guard mode == "delete" || archivePath != nil else { throw StepRefusal(.missingParameter(key: "archive_dir")) }
        guard try SourceFile.exists(mbox) else {
            if verified == "absent" { return Result(mode: mode, archivedTo: nil, acted: false) }  // never had a mailbox
            if let a = archivePath, !FileManager.default.fileExists(atPath: a) {
                throw MailboxFailure(.vanished(archive: a), file: mbox)
            }
            return Result(mode: mode, archivedTo: archivePath, acted: false)  // done by an earlier attempt
        }
        let lock = try SpoolLock(mbox: mbox, timeout: 30)
        defer { lock.unlock() }
        let now = SourceIdentity.of(mbox)?.description ?? "absent"
        guard now == verified else {
            let grew = (SourceIdentity(now)?.size ?? 0) - (SourceIdentity(verified)?.size ?? 0)
            throw MailboxFailure(.changedSinceVerify(grewBy: grew), file: mbox)
        }
        if let verifiedEdges, let (fd, st) = try SourceFile.open(mbox) {
            let edges = SourceSummary.edges(fd, size: Int(st.st_size))
            close(fd)
            guard edges == verifiedEdges else {
                throw MailboxFailure(.rewrittenSinceVerify, file: mbox)
            }
        }
        if mode == "delete" {
            // Relative to the walked spool directory: no directory component is followed.
            guard let (dir, name) = try DirectoryWalk.openParent(of: mbox) else { throw MailboxFailure(.directoryGone, file: mbox) }
            try dir.removeFile(name)
            FileDurability.syncDirectory(of: mbox)
            return Result(mode: mode, archivedTo: nil, acted: true)
        }
        let dest = archivePath ?? ""
        try FileDurability.move(mbox, to: dest)
        return Result(mode: mode, archivedTo: dest, acted: true)
    }
}
