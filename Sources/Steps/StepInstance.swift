import Digest

/// One concrete step, materialised from a template for a user: what a driver receives.
public struct StepInstance: Sendable, Hashable {
    public var index: Int
    public var id: String
    public var action: StepAction
    public var template: Int
    public var batch: String?
    /// The user of a per-user step.
    public var user: String?
    /// The batch's users, for batch-scope steps (`ldap.set`, `forward.divert`, per-user commands).
    public var users: ArraySlice<String>
    public var host: HostEndpoint?
    public var fingerprint: Fingerprint
    public var label: String?
    public var reversible: Bool

    public init(
        index: Int, id: String, action: StepAction, template: Int, batch: String?, user: String?,
        users: ArraySlice<String>, host: HostEndpoint?, fingerprint: Fingerprint,
        label: String?, reversible: Bool
    ) {
        self.index = index
        self.id = id
        self.action = action
        self.template = template
        self.batch = batch
        self.user = user
        self.users = users
        self.host = host
        self.fingerprint = fingerprint
        self.label = label
        self.reversible = reversible
    }

    public var kind: StepKind { action.kind }

    /// The host the step acts on; a step without one acts on this machine.
    public var targetHost: HostEndpoint {
        host ?? HostEndpoint(name: "local", address: "localhost", connect: .local)
    }

    /// The users a batch-scope step acts for (or the one user of a per-user step).
    public var actingUsers: [String] {
        if !users.isEmpty { return Array(users) }
        return user.map { [$0] } ?? []
    }
    /// The flat rendering of the typed parameters (for display; runners use `parameters(_:)`).
    public var parameters: StepParameters { action.parameters }
}
