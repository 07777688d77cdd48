import CommandDriver
import Foundation
import LDAPDriver
import Steps

/// `mailshift preflight PLAN` (and the first part of a dry-run): checks, before any step runs,
/// what the run would otherwise only meet halfway through — every problem found, for every user
/// it concerns, with a fix. Read-only.
///
/// What it needs is read off the compiled graph, so it checks exactly what the steps will do:
/// `ldap.set` steps give the users, attributes and object classes (`DirectoryPreflight`);
/// `forward.divert` the homes; `mailbox.import` the mailboxes and the store (`MailboxPreflight`);
/// `command` and `service` steps the programs each host must have (`CommandPreflight`).
public struct Preflight: Sendable {
    public let graph: StepGraph
    public let transport: any CommandTransport
    /// The version the mailshift agent on ssh hosts must run (nil: not checked).
    public let agentVersion: String?

    public init(graph: StepGraph, transport: any CommandTransport, agentVersion: String? = nil) {
        self.graph = graph
        self.transport = transport
        self.agentVersion = agentVersion
    }

    /// Steps not yet done in the journal (`status` nil: all of them).
    public func run(pending: ((Int) -> Bool)? = nil) async -> [PreflightCheck] {
        var needs: [String: DirectoryPreflight.Need] = [:]
        var mailbox = MailboxPreflight(remote: RemotePreflight(transport: transport, agentVersion: agentVersion))
        var commands = CommandPreflight(transport: transport)
        // Users whose missing entry a pending `ldap.create` step will add (not a problem then).
        var created: Set<String> = []
        for i in 0..<graph.stepCount where pending?(i) ?? true {
            let step = graph.step(i)
            switch step.action {
            case .ldapSet(let p):
                let attributes = Set(p.set.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
                for user in step.actingUsers {
                    needs[user, default: .init()].attributes.formUnion(attributes)
                    needs[user, default: .init()].objectClasses.formUnion(p.objectClasses ?? [])
                }
            case .forwardDivert(let p):
                for user in step.actingUsers {
                    mailbox.home(of: StepParameters.expand(p.forwardFile, ["user": user]), user: user, host: step.targetHost)
                }
            case .mailboxImport(let p):
                let store = graph.hosts[p.store.host].flatMap { $0.connect == .ssh ? $0 : nil }
                mailbox.source(p, user: step.user ?? "?", host: step.host, store: store)
            case .ldapCreate(let p):
                // A user the template needs a row for and `from` has none is still missing.
                created.formUnion(LDAPCreateRunner.creatable(step.actingUsers, p))
            case .command(let p):
                commands.need(p.argv, on: step.targetHost)
            case .serviceStart(let p), .serviceStop(let p):
                commands.need(p.argv, on: step.targetHost)
            default:
                break
            }
        }
        var checks: [PreflightCheck] = []
        if !needs.isEmpty, let directory = graph.directory {
            checks += await DirectoryPreflight(endpoint: directory).check(needs, created: created)
        }
        checks += await mailbox.checks()
        checks += await commands.checks()
        return checks
    }
}
