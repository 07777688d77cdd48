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
            throw StepError.permanent("\(step.id): mbox must be an absolute path")
        }
        var archive: String?
        if p.mode == .archive {
            guard let dir = p.archiveDir, dir.hasPrefix("/"), !dir.split(separator: "/").contains("..") else {
                throw StepError.permanent("\(step.id): archive needs an absolute archive_dir")
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
        guard !context.dryRun else { throw StepError.permanent("\(step.id): apply called during a dry run") }
        let plan = try plan(step)
        guard let verified = context.outputs(of: plan.verifyStep)?.decode(MailboxVerifyOutputs.self), verified.passed else {
            throw StepError.permanent(
                "\(step.id): refusing to retire \(plan.mbox): \(plan.verifyStep) has not passed",
                hint: "run the import and its verify first; retire never acts on an unverified mailbox")
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
                outputs["archived_to"] = try await BlockingWork.run { [plan] in try retireLocal(plan, step, verified: identity, edges: verified.sourceEdges) }
            }
        }
        if let argv = plan.argv, !argv.isEmpty, context.previousOutputs?["argv_done"] != "true" {
            let outcome = try await transport.run(argv, on: step.commandHost, stdin: nil, timeout: 600)
            guard outcome.status == 0 else {
                throw StepError.permanent("\(step.id): \(argv[0]) exited \(outcome.status)")
            }
            outputs["argv_done"] = "true"
            try await context.checkpoint(outputs)
        }
        return outputs
    }

    func retireLocal(_ plan: Plan, _ step: StepInstance, verified: String, edges: String?) throws -> String? {
        do {
            return try SourceRetire.run(
                mbox: plan.mbox, mode: plan.mode, archivePath: plan.archivePath, verifiedIdentity: verified, verifiedEdges: edges).archivedTo
        } catch let e as StepError {
            throw StepError(e.disposition, "\(step.id): \(e.summary)", hint: e.hint)
        }
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
        guard mode == "delete" || archivePath != nil else { throw StepError.permanent("archive needs an archive path") }
        guard try SourceFile.exists(mbox) else {
            if verified == "absent" { return Result(mode: mode, archivedTo: nil, acted: false) }  // never had a mailbox
            if let a = archivePath, !FileManager.default.fileExists(atPath: a) {
                throw StepError.permanent("\(mbox) is gone and \(a) does not exist")
            }
            return Result(mode: mode, archivedTo: archivePath, acted: false)  // done by an earlier attempt
        }
        let lock = try SpoolLock(mbox: mbox, timeout: 30)
        defer { lock.unlock() }
        let now = SourceIdentity.of(mbox)?.description ?? "absent"
        guard now == verified else {
            let grew = (SourceIdentity(now)?.size ?? 0) - (SourceIdentity(verified)?.size ?? 0)
            throw StepError.permanent(
                "refusing to retire \(mbox): it changed since verify (\(grew >= 0 ? "+" : "")\(grew) bytes)",
                hint: "new mail arrived: re-run the import and verify for this user, then retire")
        }
        if let verifiedEdges, let (fd, st) = try SourceFile.open(mbox) {
            let edges = SourceSummary.edges(fd, size: Int(st.st_size))
            close(fd)
            guard edges == verifiedEdges else {
                throw StepError.permanent(
                    "refusing to retire \(mbox): its first or last 4 KiB changed since verify (size and mtime kept)",
                    hint: "the mailbox was rewritten in place: re-run the import and verify for this user, then retire")
            }
        }
        if mode == "delete" {
            // Relative to the walked spool directory: no directory component is followed.
            guard let (dir, name) = try DirectoryWalk.openParent(of: mbox) else { throw StepError.permanent("\(mbox): its directory is gone") }
            try dir.removeFile(name)
            FileDurability.syncDirectory(of: mbox)
            return Result(mode: mode, archivedTo: nil, acted: true)
        }
        let dest = archivePath ?? ""
        try FileDurability.move(mbox, to: dest)
        return Result(mode: mode, archivedTo: dest, acted: true)
    }
}
