import Steps

/// RFC 4514 escaping of a value placed into a DN template: `,` `+` `"` `\` `<` `>` `;` `=` and
/// NUL anywhere, a leading space or `#`, a trailing space. So a user named `a,ou=Admins` makes
/// `uid=a\,ou\=Admins,ou=People,…`, one RDN value, never a second component.
public enum LDAPDistinguishedName {
    public static func escape(_ value: String) -> String {
        var out = ""
        let scalars = Array(value.unicodeScalars)
        for (i, s) in scalars.enumerated() {
            switch s {
            case ",", "+", "\"", "\\", "<", ">", ";", "=":
                out += "\\" + String(s)
            case "\0":
                out += "\\00"
            case " " where i == 0 || i == scalars.count - 1:
                out += "\\ "
            case "#" where i == 0:
                out += "\\#"
            default:
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// `template` with `{user}` replaced by the escaped user name.
    public static func expand(_ template: String, user: String) -> String {
        StepParameters.expand(template, ["user": escape(user)])
    }
}
