/// Values the lab puts into the daemons' configuration files: an LDAP filter assertion value is
/// escaped per RFC 4515, and a value must stay one line and one value (`%` is a lookup-table
/// expansion in Postfix's `query_filter` and in Dovecot's LDAP filters, so it is doubled).
enum LabConfigValue {
    /// `value` as an RFC 4515 assertion value: `*`, `(`, `)`, `\`, NUL and
    /// non-ASCII bytes as `\XX`.
    static func filterValue(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case 0x2A: out += "\\2a"
            case 0x28: out += "\\28"
            case 0x29: out += "\\29"
            case 0x5C: out += "\\5c"
            case 0x00: out += "\\00"
            case 0x80...: out += "\\" + String(byte, radix: 16)
            default: out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// An escaped filter value made safe for a `%`-expanding table file (`%` → `%%`).
    static func expandingFilterValue(_ value: String) -> String {
        filterValue(value).replacingOccurrences(of: "%", with: "%%")
    }

    /// Throws unless `value` is printable ASCII without line breaks, so it cannot end its
    /// configuration line and start another setting (nor be split by a parser on other bytes).
    static func requireOneLine(_ value: String, _ what: String) throws {
        guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw LabError("\(what) '\(value.debugDescription)' cannot go into a daemon's configuration (control or non-ASCII characters)",
                           hint: "use a host name of letters, digits, dots and dashes")
        }
    }
}
