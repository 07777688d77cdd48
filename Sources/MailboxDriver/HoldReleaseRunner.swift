import CommandDriver
import Digest
import Foundation
import SafeFiles
import Steps

/// `hold.release`: a native hold spool directory into the store (see `HoldRelease`).
public struct HoldReleaseRunner: StepRunner {
    public var agent: MailboxAgent
    public var transport: any CommandTransport { agent.transport }

    public init(transport: any CommandTransport, agentExecutable: String = "mailshift", agentVersion: String? = nil) {
        agent = MailboxAgent(transport: transport, executable: agentExecutable, expectedVersion: agentVersion)
    }

    func spool(_ step: StepInstance) throws -> String {
        let dir = try step.parameters(HoldReleaseParameters.self).spoolDir
        guard dir.hasPrefix("/"), !dir.split(separator: "/").contains("..") else {
            throw StepRefusal(.invalidParameter(key: "spool_dir", value: dir, expected: "must be an absolute path without '..'"))
        }
        return dir
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let dir = try spool(step)
        guard step.remoteHost == nil else { return .unknown("the spool is on \(step.host?.name ?? "a remote host")") }
        let p = try MailboxStepParameters(step)
        if p.storeKind == .command { return .unknown("an import command cannot tell what it already imported") }
        if let route = CrossHostRoute(step, store: p.store, context: context) {
            return .unknown("the Maildir is on \(route.store.name), where held mail is named as it is released")
        }
        // Names only, listed through a descriptor that follows no link (as the release reads it).
        let files = ((try? DirectoryWalk.open(dir)?.names()) ?? []).filter { !$0.hasPrefix(".") }
        let maildir = try p.require(p.maildir, "maildir", step)
        let present = Set(MaildirIndex.scan(maildir).keys)
        let pending = files.filter { !present.contains("h" + String(SHA256.hash($0).hexString.prefix(16))) }.count
        if pending == 0 { return .done("\(files.count) held messages already in \(maildir)") }
        return .pending([PlannedChange(.add, "release \(pending.grouped) held messages into \(maildir)", messages: pending)])
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        guard !context.dryRun else { throw StepRefusal(.applyDuringDryRun) }
        let dir = try spool(step)
        let p = try MailboxStepParameters(step)
        if p.storeKind == .command {
            guard let argv = p.importArgv, !argv.isEmpty else { throw StepRefusal(.missingParameter(key: "import_argv")) }
            // The held messages go as one mbox to the store host (the step's own when it is the
            // store too), where the site's import tool runs on it: `{mbox}` names that copy,
            // filled by the store agent as for every command store. The spool itself is a
            // directory of files no import tool reads.
            let route = CrossHostRoute(step, store: p.store, context: context) ?? CrossHostRoute(sameHost: step.commandHost)
            try await agent.importCommand(
                step, route: route, read: p.readRequest(.readHold, mbox: dir), run: p.commandRequest(mbox: dir, argv: argv))
            return ["command": "done"]
        }
        let maildir = try p.require(p.maildir, "maildir", step)
        if let route = CrossHostRoute(step, store: p.store, context: context) ?? step.remoteHost.map({ CrossHostRoute(sameHost: $0) }) {
            // The spool or the store is reached by ssh: the held messages go as one mbox from
            // where the spool is to where the Maildir is, and are imported there.
            var write = p.storeRequest(.releaseHeld, maildir: maildir)
            write.timezone = p.timeZone.identifier
            let (_, r) = try await agent.crossHost().importMailbox(
                source: route.source, store: route.store, read: p.readRequest(.readHold, mbox: dir), write: write)
            return Self.outputs(HoldRelease.Report(messages: r.messages, imported: r.imported, present: r.present, duplicates: r.duplicates, bytes: r.importedBytes))
        }
        guard FileManager.default.fileExists(atPath: dir) else { return ["messages": "0", "imported": "0"] }
        let (tz, owner) = (p.timeZone, try p.ownerIDs(step))
        let r = try await BlockingWork.run { try HoldRelease.run(spool: dir, maildir: maildir, timeZone: tz, owner: owner) }
        return Self.outputs(r)
    }

    static func outputs(_ r: HoldRelease.Report) -> StepOutputs {
        ["messages": String(r.messages), "imported": String(r.imported), "present": String(r.present), "duplicates": String(r.duplicates), "bytes": String(r.bytes)]
    }
}
