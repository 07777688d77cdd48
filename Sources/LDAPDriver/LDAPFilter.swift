/// RFC 4515 filter values: a user name is data, never filter syntax.
public enum LDAPFilter {
    /// Escapes `*`, `(`, `)`, `\` and NUL as `\hh` (RFC 4515 section 3), and any non-ASCII byte
    /// too, so `a*)(uid=*` stays one literal value and cannot widen a search.
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case 0x2A, 0x28, 0x29, 0x5C, 0x00, 0x80...0xFF:
                out += "\\" + String(byte, radix: 16, uppercase: false).leftPadded(to: 2)
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// The template with every `{user}` replaced by the escaped user name.
    public static func filter(template: String, user: String) -> String {
        template.replacingAll("{user}", with: escape(user))
    }

    /// `attr` when the template is exactly `(attr={user})`: then one equality match decides.
    public static func equalityAttribute(template: String) -> String? {
        guard template.hasPrefix("("), template.hasSuffix("={user})") else { return nil }
        let name = template.dropFirst().dropLast("={user})".count)
        guard let first = name.first, first.isLetter,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
        return String(name)
    }

    /// The attribute a template matches users by: `uid` in `(uid={user})`, `uid` if none found.
    public static func namingAttribute(template: String) -> String {
        guard let range = template.range(of: "={user}") else { return "uid" }
        let before = template[..<range.lowerBound]
        let name = before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == ";" }
        return name.isEmpty ? "uid" : String(name.reversed())
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

import Foundation
