import Diagnostics

/// A decoded plan (version 1). Fields the file got wrong or left out are nil (or defaults), and
/// the decoder has said so; validation still looks at everything that did decode, so one
/// `check` reports every problem.
public struct Plan: Sendable {
    public var file: String
    public var version: Int?
    public var name: Located<String>?
    public var strategy: Located<Strategy>?
    public var hosts: [HostSpec] = []
    /// False when `hosts:` is missing or not a mapping: host references cannot be checked then.
    public var hostsDecoded = false
    public var directory: DirectorySpec?
    public var source: SourceSpec?
    public var store: StoreSpec?
    public var services = ServicesSpec()
    public var forward: ForwardSpec?
    public var batches: [BatchSpec] = []
    public var policy = PolicySpec()
    /// Where the plan's top-level mapping is (for "missing key" notes).
    public var range: SourceRange

    public init(file: String, range: SourceRange) {
        self.file = file
        self.range = range
    }

    public func host(named name: String) -> HostSpec? { hosts.first { $0.name.value == name } }
}

/// The migration procedure (DESIGN.md section 2).
public enum Strategy: String, Sendable, Hashable, CaseIterable {
    case simple, forward, choke, proxy
}

/// What a host is for; a reference to a host must find the role its use needs.
public enum HostRole: String, Sendable, Hashable, CaseIterable {
    case legacy, store, proxy
}

/// A machine the plan acts on.
public struct HostSpec: Sendable {
    public enum Connect: String, Sendable, Hashable, CaseIterable { case local, ssh }

    public var name: Located<String>
    /// The ssh target (or this machine's name for `connect: local`).
    public var address: String
    /// `mail_host`: the name mail routes by (written to mailHost); nil means `address`. Kept apart
    /// because a store is often reached over ssh by a management name or IP, not its mail name.
    public var mailHost: String?
    public var connect: Connect = .ssh
    public var user: String?
    public var port: Int?
    public var identityFile: String?
    public var sshOptions: [String] = []
    /// Where each of `sshOptions` was written (same order).
    public var sshOptionRanges: [SourceRange] = []
    public var roles: [Located<HostRole>] = []
    public var range: SourceRange

    public init(name: Located<String>, address: String, range: SourceRange) {
        self.name = name
        self.address = address
        self.range = range
    }

    public func has(_ role: HostRole) -> Bool { roles.contains { $0.value == role } }

    /// The value written to mailHost for this host.
    public var mailHostName: String { mailHost ?? address }
}

/// Where a secret comes from; a plan never holds a secret itself.
public enum SecretSpec: Sendable, Hashable {
    case environment(String)
    case file(String)
}

/// Which attribute names a directory generation uses (DOMAIN.md section 1).
public enum DirectoryProfile: String, Sendable, Hashable, CaseIterable {
    case sims
    case messagingServer = "messaging-server"

    /// Logical attribute → directory attribute name.
    public var attributes: [String: String] {
        switch self {
        case .sims: ["host": "mailHost", "status": "emailPersonStatus", "delivery": "mailDeliveryOption"]
        case .messagingServer: ["host": "mailHost", "status": "mailUserStatus", "delivery": "mailDeliveryOption"]
        }
    }
}

/// The LDAP directory holding the users' routing.
public struct DirectorySpec: Sendable {
    public var url: String = ""
    public var startTLS = false
    public var tlsVerify = true
    public var caFile: String?
    public var bindDN: String?
    public var password: SecretSpec?
    public var base: String = ""
    public var userFilter = "(uid={user})"
    public var profile: DirectoryProfile = .sims
    /// Overrides of the profile's attribute names, by logical name (`host`, `status`, `delivery`).
    public var attributes: [String: String] = [:]
    public var objectClasses: [String] = []
    /// Filter template with `{group}` finding a batch's group entries (mailing lists).
    public var groupFilter = DirectorySpec.defaultGroupFilter
    /// Where group entries are searched (nil: `base`).
    public var groupBase: String?
    /// The entry created for a batch's user who has none (nil: a missing entry is an error).
    public var create: CreateTemplateSpec?
    /// Read-only replicas (consumers) each directory step waits for, by URL.
    public var replicas: [String] = []
    /// Seconds to wait for every replica to read back a step's values.
    public var replicaTimeout = 60
    public var connectTimeout = 10
    public var operationTimeout = 30
    public var window = 64
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }

    public static let defaultGroupFilter = "(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(cn={group}))"

    /// The profile's names with the plan's overrides applied.
    public var resolvedAttributes: [String: String] { profile.attributes.merging(attributes) { _, b in b } }
}

/// Where the users' mail is now.
public struct SourceSpec: Sendable {
    public enum Format: String, Sendable, Hashable, CaseIterable { case auto, mboxo, mboxrd, mboxcl, mboxcl2, solaris }
    public enum AmbiguousFormat: String, Sendable, Hashable, CaseIterable { case refuse, mboxo, mboxrd }

    public var host: Located<String>?
    public var spool = "/var/mail"
    /// Where `spool` was written (nil: the default).
    public var spoolRange: SourceRange?
    public var format: Format = .auto
    /// How `format: auto` reads a mailbox mboxo and mboxrd would read differently: nil refuses it.
    public var ifAmbiguous: AmbiguousFormat?
    public var timezone = "UTC"
    public var lock = true
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}

/// Where the users' mail goes.
public struct StoreSpec: Sendable {
    public enum Kind: String, Sendable, Hashable, CaseIterable { case maildir, command }

    public var kind: Kind?
    public var host: Located<String>?
    public var path: Located<String>?
    public var owner: String?
    public var importArgv: Located<[String]>?
    public var countArgv: Located<[String]>?
    /// Where `kind` was written (nil when it did not decode).
    public var kindRange: SourceRange?
    /// Keys the plan wrote (even with a wrong value).
    public var written: Set<String> = []
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}

/// How the saved mail is kept while a batch moves (strategy `forward`).
public struct ForwardSpec: Sendable {
    public var file = "/home/{user}/.forward"
    /// Where `file` was written (nil: the default).
    public var fileRange: SourceRange?
    public var saved: Located<String>?
    public var keepLocal = false
    /// Who owns the written `.forward`: the mail user (chown, the default) or whoever runs mailshift.
    public enum Owner: String, Sendable, Hashable, CaseIterable { case user, unchanged }
    public var owner = Owner.user
    /// Keys the plan wrote (even with a wrong value).
    public var written: Set<String> = []
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}
