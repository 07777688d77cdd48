import CommandDriver
import Foundation
import Steps

/// `mailbox.verify`: the source against the store, by count or per-message digest; fails with
/// the missing and extra messages. Its outputs (`passed`, `source_identity`) are what
/// `source.retire` requires.
public struct MailboxVerifyRunner: StepRunner {
    public var agent: MailboxAgent

    public init(transport: any CommandTransport, agentExecutable: String = "mailshift", agentVersion: String? = nil) {
        agent = MailboxAgent(transport: transport, executable: agentExecutable, expectedVersion: agentVersion)
    }

    public func inspect(_ step: StepInstance, context: StepContext) async throws -> Inspection {
        let p = try MailboxStepParameters(step)
        let mbox = try p.require(p.mbox, "mbox", step)
        let mode = try step.parameters(MailboxVerifyParameters.self).mode.rawValue
        if let prev = context.previousOutputs?.decode(MailboxVerifyOutputs.self), prev.passed, step.remoteHost == nil,
            (SourceIdentity.of(mbox)?.description ?? "absent") == prev.sourceIdentity
        {
            return .done("verified (\(mode)), source unchanged")
        }
        return .pending([PlannedChange(.modify, "verify \(mbox) against \(p.maildir ?? "the store") (\(mode))")])
    }

    public func apply(_ step: StepInstance, context: StepContext) async throws -> StepOutputs {
        var p = try MailboxStepParameters(step)
        let mbox = try p.require(p.mbox, "mbox", step)
        let verify = try step.parameters(MailboxVerifyParameters.self)
        guard let mode = MailboxVerify.Mode(rawValue: verify.mode.rawValue) else {
            throw StepRefusal(.invalidParameter(key: "mode", value: verify.mode.rawValue, expected: "count or digest"))
        }
        if p.storeKind == .command { return try await verifyCommand(step, p, mbox, context) }
        let maildir = try p.require(p.maildir, "maildir", step)
        p.pinVariant(to: context.outputs(of: verify.importStep.id)?.decode(MailboxImportOutputs.self))
        let variant = p.variant
        let report: MailboxVerify.Report
        if let route = CrossHostRoute(step, store: p.store, context: context) {
            // Digests computed on both sides: the source's relayed to the store, compared there.
            var read = p.readRequest(.sourceDigests, mbox: mbox, variant: variant)
            (read.mode, read.tagPrefix) = (mode.rawValue, "m")
            var compare = p.storeRequest(.verifyMaildir, maildir: maildir)
            compare.mode = mode.rawValue
            report = try await agent.crossHost().verify(source: route.source, store: route.store, read: read, compare: compare)
        } else if let host = step.remoteHost {
            report = try await agent.call(
                ["mbox", "verify", mbox, "--maildir", maildir, "--mode", mode.rawValue, "--variant", variant.rawValue,
                 "--timezone", p.timeZone.identifier, "--format", "json"],
                on: host, timeout: 86400, as: MailboxVerify.Report.self)
        } else {
            let tz = p.timeZone
            report = try await BlockingWork.run {
                try MailboxVerify.run(file: mbox, maildir: maildir, variant: variant, timeZone: tz, mode: mode)
            }
        }
        guard report.passed else {
            let id = verify.importStep.id
            if let arrivals = ArrivalCheck.arrivals(report,
                importedIdentity: context.outputs(of: id)?.decode(MailboxImportOutputs.self)?.sourceIdentity, importStepID: id)
            {
                throw arrivals
            }
            throw VerifyFailure(file: mbox, missing: report.missing, extra: report.extra, missingCount: report.missingCount, extraCount: report.extraCount)
        }
        var outputs = MailboxVerifyOutputs(
            passed: true, mode: verify.mode, messages: report.sourceMessages, destinationMessages: report.destinationMessages,
            sourceIdentity: report.source, digestSummary: report.digestSummary)
        outputs.sourceEdges = report.sourceEdges
        return StepOutputs(encoding: outputs)
    }

    func verifyCommand(_ step: StepInstance, _ p: MailboxStepParameters, _ mbox: String, _ context: StepContext) async throws -> StepOutputs {
        guard let countArgv = p.countArgv else { throw StepRefusal(.missingParameter(key: "count_argv")) }
        let id = try step.parameters(MailboxVerifyParameters.self).importStep.id
        guard let imported = context.outputs(of: id)?.decode(MailboxImportOutputs.self), let before = imported.countBefore else {
            throw StepRefusal(.missingRecord(step: id, what: "recorded no store count before its import; a command store is verified by those counts"))
        }
        let messages = imported.messages
        let storeHost = CrossHostRoute(step, store: p.store, context: context)?.store ?? step.commandHost
        let now = try await StoreCount.run(countArgv, on: storeHost, agent: agent)
        guard now - before == messages else {
            throw MailboxFailure(.storeCountGrew(by: now - before, messages: messages), file: mbox, host: storeHost.name)
        }
        let identity = step.remoteHost == nil ? (SourceIdentity.of(mbox)?.description ?? "absent") : imported.sourceIdentity
        return StepOutputs(
            encoding: MailboxVerifyOutputs(
                passed: true, mode: .count, messages: messages, destinationMessages: now - before, sourceIdentity: identity))
    }
}
