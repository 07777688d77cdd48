/// The object classes of a directory's subschema (RFC 4512 `objectClasses` values), enough to
/// tell whether an entry's classes allow an attribute: each class's MUST and MAY attributes,
/// inherited along SUP.
public struct DirectorySchema: Sendable {
    struct ObjectClass: Sendable {
        var names: [String]
        var superiors: [String]
        var attributes: Set<String>
    }

    /// Lowercased class name → class.
    private var classes: [String: ObjectClass] = [:]
    /// A definition longer than this is not read (the server's own values are a few hundred bytes).
    static let definitionLimit = 64 << 10

    public init(objectClassDefinitions: [String]) {
        for text in objectClassDefinitions where text.utf8.count <= Self.definitionLimit {
            guard let c = Self.parse(text) else { continue }
            for name in c.names { classes[name.lowercased()] = c }
        }
    }

    public var isEmpty: Bool { classes.isEmpty }

    /// Attributes (lowercased) that entries of these classes may hold; nil when a class is
    /// unknown or `extensibleObject` (anything goes, or nothing can be said).
    public func allowed(by objectClasses: [String]) -> Set<String>? {
        var out: Set<String> = ["objectclass"]
        var seen: Set<String> = []
        var stack = objectClasses.map { $0.lowercased() }
        while let name = stack.popLast() {
            guard seen.insert(name).inserted else { continue }
            if name == "extensibleobject" { return nil }
            guard let c = classes[name] else { return nil }
            out.formUnion(c.attributes)
            stack += c.superiors.map { $0.lowercased() }
        }
        return out
    }

    /// Classes whose MUST or MAY lists the attribute directly (for the hint), sorted.
    public func classes(allowing attribute: String) -> [String] {
        let a = attribute.lowercased()
        return Set(classes.values.filter { $0.attributes.contains(a) }.compactMap(\.names.first)).sorted()
    }

    /// `( 1.2.3 NAME ( 'a' 'b' ) SUP top AUXILIARY MUST ( x $ y ) MAY z )`: tokens, then the
    /// keywords this needs.
    static func parse(_ text: String) -> ObjectClass? {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        for ch in text {
            if quoted {
                if ch == "'" { tokens.append(current); current = ""; quoted = false } else { current.append(ch) }
                continue
            }
            switch ch {
            case "'": quoted = true
            case "(", ")", "$", " ", "\t", "\n":
                if !current.isEmpty { tokens.append(current); current = "" }
                if ch == "(" || ch == ")" { tokens.append(String(ch)) }
            default: current.append(ch)
            }
        }
        var names: [String] = []
        var superiors: [String] = []
        var attributes: Set<String> = []
        var i = 0
        /// One value, or a parenthesized list of them.
        func values() -> [String] {
            guard i < tokens.count else { return [] }
            if tokens[i] != "(" {
                defer { i += 1 }
                return [tokens[i]]
            }
            var list: [String] = []
            i += 1
            while i < tokens.count, tokens[i] != ")" { list.append(tokens[i]); i += 1 }
            i += 1
            return list
        }
        while i < tokens.count {
            let keyword = tokens[i].uppercased()
            i += 1
            switch keyword {
            case "NAME": names = values()
            case "SUP": superiors = values()
            case "MUST", "MAY": attributes.formUnion(values().map { $0.lowercased() })
            case "DESC": _ = values()
            default: break
            }
        }
        return names.isEmpty ? nil : ObjectClass(names: names, superiors: superiors, attributes: attributes)
    }
}
