import Foundation
import Steps

/// The flat key scheme an `ldap.set` step journals, read back by resumes and by rollback.
///
/// | key | value |
/// |---|---|
/// | `dn.<user>` | the entry's DN |
/// | `prev.<user>.<attr>` | values before mailshift first wrote: a JSON array, or `!absent` |
/// | `set.<user>.<attr>` | values mailshift writes: a JSON array |
/// | `oc.<user>` | object classes mailshift added: a JSON array |
/// | `ldap.written` / `ldap.unchanged` | entries modified / already matching in this apply |
///
/// Attribute names never contain a dot, so `prev.<user>.<attr>` splits at its last dot even for
/// a user name with dots. The first recorded `prev` wins: a resumed or repeated apply keeps the
/// values from before the very first write, so a rollback restores the true original.
public enum LDAPSetOutputs {
    public static let absent = "!absent"
    public static let written = "ldap.written"
    public static let unchanged = "ldap.unchanged"

    public static func dnKey(_ user: String) -> String { "dn.\(user)" }
    public static func previousKey(_ user: String, _ attribute: String) -> String { "prev.\(user).\(attribute)" }
    public static func setKey(_ user: String, _ attribute: String) -> String { "set.\(user).\(attribute)" }
    public static func classesKey(_ user: String) -> String { "oc.\(user)" }

    /// A JSON array of strings (written by hand: this runs for every user and attribute of a batch).
    public static func encode(_ values: [String]) -> String {
        guard !values.isEmpty else { return absent }
        var out = "["
        for (i, value) in values.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        return out + "]"
    }

    /// Values from `encode` (`!absent` and unreadable text give no values).
    public static func decode(_ text: String) -> [String] {
        guard text != absent else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    /// The users recorded in `outputs` (from their `dn.` keys), sorted.
    public static func users(in outputs: StepOutputs) -> [String] {
        outputs.values.keys.filter { $0.hasPrefix("dn.") }.map { String($0.dropFirst(3)) }.sorted()
    }

    /// One user's recorded state: DN, attributes with previous and written values, added classes.
    public static func record(of user: String, in outputs: StepOutputs) -> RecordedEntry? {
        guard let dn = outputs[dnKey(user)] else { return nil }
        let prefix = "set.\(user)."
        var attributes: [RecordedEntry.Attribute] = []
        for key in outputs.values.keys.sorted() where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            guard !name.contains("."), let written = outputs[key] else { continue }
            let previous = outputs[previousKey(user, name)].map(decode) ?? []
            attributes.append(.init(name: name, previous: previous, written: decode(written)))
        }
        let classes = outputs[classesKey(user)].map(decode) ?? []
        return RecordedEntry(user: user, dn: dn, attributes: attributes, addedClasses: classes)
    }
}

/// What one `ldap.set` apply recorded for one entry.
public struct RecordedEntry: Sendable, Hashable {
    public struct Attribute: Sendable, Hashable {
        public var name: String
        public var previous: [String]
        public var written: [String]
    }

    public var user: String
    public var dn: String
    public var attributes: [Attribute]
    public var addedClasses: [String]
}
