/// An LDAP result code (RFC 4511 section 4.1.9, plus libldap's negative client-side codes), like
/// `Errno` for LDAP: a number with a name, and whether retrying can help.
public struct LDAPResultCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let success = LDAPResultCode(0)
    public static let operationsError = LDAPResultCode(1)
    public static let protocolError = LDAPResultCode(2)
    public static let timeLimitExceeded = LDAPResultCode(3)
    public static let sizeLimitExceeded = LDAPResultCode(4)
    public static let undefinedAttributeType = LDAPResultCode(17)
    public static let constraintViolation = LDAPResultCode(19)
    public static let attributeOrValueExists = LDAPResultCode(20)
    public static let invalidAttributeSyntax = LDAPResultCode(21)
    public static let noSuchObject = LDAPResultCode(32)
    public static let invalidDNSyntax = LDAPResultCode(34)
    public static let invalidCredentials = LDAPResultCode(49)
    public static let insufficientAccessRights = LDAPResultCode(50)
    public static let busy = LDAPResultCode(51)
    public static let unavailable = LDAPResultCode(52)
    public static let unwillingToPerform = LDAPResultCode(53)
    public static let objectClassViolation = LDAPResultCode(65)
    public static let other = LDAPResultCode(80)
    /// libldap: the connection is gone (server stopped, network cut).
    public static let serverDown = LDAPResultCode(-1)
    public static let localError = LDAPResultCode(-2)
    /// libldap: no answer within the operation timeout.
    public static let timeout = LDAPResultCode(-5)
    public static let filterError = LDAPResultCode(-7)
    /// libldap: could not connect (refused, TLS handshake failed).
    public static let connectError = LDAPResultCode(-11)

    private static let names: [Int32: String] = [
        0: "success", 1: "operationsError", 2: "protocolError", 3: "timeLimitExceeded", 4: "sizeLimitExceeded",
        10: "referral", 11: "adminLimitExceeded", 16: "noSuchAttribute", 17: "undefinedAttributeType",
        18: "inappropriateMatching", 19: "constraintViolation", 20: "attributeOrValueExists",
        21: "invalidAttributeSyntax", 32: "noSuchObject", 34: "invalidDNSyntax", 48: "inappropriateAuthentication",
        49: "invalidCredentials", 50: "insufficientAccessRights", 51: "busy", 52: "unavailable",
        53: "unwillingToPerform", 64: "namingViolation", 65: "objectClassViolation", 67: "notAllowedOnRDN",
        69: "objectClassModsProhibited", 80: "other", -1: "serverDown", -2: "localError", -3: "encodingError",
        -4: "decodingError", -5: "timeout", -6: "authUnknown", -7: "filterError", -8: "userCancelled",
        -9: "paramError", -10: "noMemory", -11: "connectError", -12: "notSupported",
    ]

    public var name: String { Self.names[rawValue] ?? "code" }
    public var description: String { "\(name) (\(rawValue))" }

    /// Server down, busy, unavailable, timeouts, refused connections: a later attempt may succeed.
    public var isTransient: Bool {
        switch rawValue {
        case -1, -5, -11, 3, 51, 52: true
        default: false
        }
    }
}
