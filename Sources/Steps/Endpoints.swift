/// Where a secret comes from. A plan never holds a secret itself; drivers resolve this at use,
/// and nothing that prints or journals a step ever sees the resolved value.
public enum SecretReference: Sendable, Hashable, Codable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): "env \(name)"
        case .file(let path): "file \(path)"
        }
    }
}

/// How to reach a host named in the plan.
public struct HostEndpoint: Sendable, Hashable, Codable {
    public enum Connect: String, Sendable, Hashable, Codable { case local, ssh }

    public var name: String
    public var address: String
    public var connect: Connect
    public var user: String?
    public var port: Int?
    public var identityFile: String?
    /// Extra `ssh -o` options, e.g. `ConnectTimeout=10`.
    public var sshOptions: [String]
    public var roles: [String]

    public init(
        name: String, address: String, connect: Connect, user: String? = nil, port: Int? = nil,
        identityFile: String? = nil, sshOptions: [String] = [], roles: [String] = []
    ) {
        self.name = name
        self.address = address
        self.connect = connect
        self.user = user
        self.port = port
        self.identityFile = identityFile
        self.sshOptions = sshOptions
        self.roles = roles
    }
}

/// How to reach and use the directory.
public struct DirectoryEndpoint: Sendable, Hashable, Codable {
    public var url: String
    public var startTLS: Bool
    public var tlsVerify: Bool
    public var caFile: String?
    public var bindDN: String?
    public var password: SecretReference?
    public var base: String
    /// Filter template with `{user}`, e.g. `(uid={user})`; the value is escaped per RFC 4515.
    public var userFilter: String
    /// Logical attribute → directory attribute name: `host`, `status`, `delivery`.
    public var attributes: [String: String]
    /// Object classes to add when an entry lacks them before setting an attribute.
    public var objectClasses: [String]
    public var connectTimeout: Int
    public var operationTimeout: Int
    /// Outstanding asynchronous modifications per connection.
    public var window: Int
    /// Replicas each directory step waits for until they read back its values (nil: none).
    public var replicas: [String]?
    /// Seconds that wait may take (nil: 60).
    public var replicaTimeout: Int?

    public init(
        url: String, startTLS: Bool = false, tlsVerify: Bool = true, caFile: String? = nil,
        bindDN: String? = nil, password: SecretReference? = nil, base: String,
        userFilter: String = "(uid={user})", attributes: [String: String] = [:], objectClasses: [String] = [],
        connectTimeout: Int = 10, operationTimeout: Int = 30, window: Int = 64
    ) {
        self.url = url
        self.startTLS = startTLS
        self.tlsVerify = tlsVerify
        self.caFile = caFile
        self.bindDN = bindDN
        self.password = password
        self.base = base
        self.userFilter = userFilter
        self.attributes = attributes
        self.objectClasses = objectClasses
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.window = window
    }
}
