import Diagnostics

/// Problems with what a `users_from` search found. A directory entry has no file position, so its
/// DN is the location, in the message; the renderer escapes whatever the entry holds.
extension Diagnostic {
    static let directoryReportLimit = 50

    static func multiValuedName(dn: String, attribute: String, count: Int, filter: String) -> Diagnostic {
        .error("ldap.multi-valued-name", "directory entry '\(dn)' (found by users_from \(filter)) has \(count) values of '\(attribute)'; a user is named by exactly one",
            hint: "remove the extra values from the entry: whoever can add a value (e.g. 'root') would pull that user into the batch; nothing was moved")
    }

    static func directoryNameNotPortable(_ value: String, dn: String, attribute: String, filter: String) -> Diagnostic {
        .error("ldap.unsafe-user", "directory entry '\(dn)' (found by users_from \(filter)) has \(attribute) '\(value)', which is not a portable user name",
            hint: "a user name may hold \(PortableName.rule); fix the entry or narrow the filter; nothing was moved")
    }
}
