/// One user entry of a lab directory, stored as `uid=<uid>,ou=People,<suffix>`.
public struct DirectoryUser: Sendable, Hashable {
    public var uid: String
    public var objectClasses: [String]
    /// Attribute → values, written in key order.
    public var attributes: [String: [String]]

    public init(uid: String, objectClasses: [String], attributes: [String: [String]]) {
        self.uid = uid
        self.objectClasses = objectClasses
        self.attributes = attributes
    }

    /// A Messaging-Server style user on the legacy host: active, delivering to its mailbox.
    public static func mailUser(_ uid: String, mailHost: String = "oldmail.example.edu") -> DirectoryUser {
        DirectoryUser(
            uid: uid,
            objectClasses: ["inetOrgPerson", "inetUser", "inetMailUser", "inetLocalMailRecipient"],
            attributes: [
                "cn": [uid], "sn": [uid], "mail": ["\(uid)@example.edu"], "mailHost": [mailHost],
                "mailDeliveryOption": ["mailbox"], "mailUserStatus": ["active"], "inetUserStatus": ["active"],
            ])
    }

    /// A bare person without mail object classes (to exercise `object_classes`).
    public static func person(_ uid: String) -> DirectoryUser {
        DirectoryUser(uid: uid, objectClasses: ["inetOrgPerson"], attributes: ["cn": [uid], "sn": [uid]])
    }
}
