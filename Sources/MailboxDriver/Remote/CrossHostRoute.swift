import CommandDriver
import Steps

/// A mailbox step's two ends when they are different machines: the source host (the step's own)
/// and the store host (the plan's `store.host`). Nil when they are one host, or both this
/// machine: then the direct path (one process reading and writing) applies unchanged.
struct CrossHostRoute {
    var source: HostEndpoint
    var store: HostEndpoint

    init?(_ step: StepInstance, store target: StoreTarget, context: StepContext) {
        let source = step.targetHost
        guard let store = context.hosts[target.host], store.name != source.name else { return nil }
        if source.connect == .local && store.connect == .local { return nil }
        (self.source, self.store) = (source, store)
    }

    /// Both ends on one host: the agent path used anyway where only it builds what the store
    /// needs (a hold spool's messages as one mbox for a command store's `{mbox}`).
    init(sameHost host: HostEndpoint) {
        (source, store) = (host, host)
    }
}

extension MailboxAgent {
    /// `store.kind: command` over two hosts: `read` streams the file as it is from the source
    /// host; the store host imports it with the plan's argv. Throws unless the command exits 0.
    func importCommand(_ step: StepInstance, route: CrossHostRoute, read: AgentRequest, run: AgentRequest) async throws {
        let report = try await crossHost().importCommand(source: route.source, store: route.store, read: read, run: run)
        guard report.status == 0 else {
            throw CommandFailure(
                .exitStatus(report.status), host: route.store.name, command: CommandFailure.render(run.argv ?? ["the import command"]),
                stderrTail: AgentFailure.inert(report.stderrTail.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    /// The two-host data path, or a permanent failure when the transport cannot hold sessions.
    func crossHost() throws -> CrossHostTransfer {
        guard let sessions = transport as? any AgentSessionOpening else {
            throw StepRefusal(.unsupported("open agent sessions with this host transport, which a two-host mailbox step needs"))
        }
        return CrossHostTransfer(sessions: sessions, executable: executable, expectedVersion: expectedVersion)
    }
}

extension MailboxStepParameters {
    /// The source agent's request: read this step's mailbox as the plan says.
    func readRequest(_ op: AgentRequest.Operation, mbox: String, variant: MboxVariant? = nil) -> AgentRequest {
        var r = AgentRequest(op: op)
        (r.mbox, r.variant, r.timezone, r.ifAmbiguous) = (mbox, (variant ?? self.variant).rawValue, timeZone.identifier, ifAmbiguous.rawValue)
        r.lock = lock
        return r
    }

    /// The store agent's request for a command store: the relayed `mbox` imported with the plan's
    /// argv, on a copy owned by the mailbox's owner.
    func commandRequest(mbox: String, argv: [String]) -> AgentRequest {
        var r = AgentRequest(op: .importCommand)
        (r.mbox, r.argv, r.owner, r.timeout) = (mbox, argv, owner, StoreCommandImport.defaultTimeout)
        return r
    }

    /// The store agent's request: write into, or compare with, this step's Maildir.
    func storeRequest(_ op: AgentRequest.Operation, maildir: String) -> AgentRequest {
        var r = AgentRequest(op: op)
        (r.maildir, r.owner, r.tagPrefix) = (maildir, owner, "m")
        return r
    }
}
