import YAMLSource

extension PlanDecoder {
    mutating func createTemplate(_ node: YAMLNode) -> CreateTemplateSpec? {
        guard let f = fields(node, "'directory.create'", allowed: PlanKeys.directoryCreate, required: ["dn", "attributes"]) else { return nil }
        var c = CreateTemplateSpec(range: range(node))
        c.dn = locatedString(f["dn"], "'directory.create.dn'")
        c.from = locatedString(f["from"], "'directory.create.from'")
        guard let a = f["attributes"] else { return c }
        guard a.kind == .mapping else {
            report(.planWrongType("'directory.create.attributes'", expected: "a mapping of attribute names to values", found: a.kindDescription, at: range(a)))
            return c
        }
        for (key, value) in entries(a) {
            guard let name = locatedString(key, "an attribute name of 'directory.create.attributes'") else { continue }
            let what = "'directory.create.attributes.\(name.value)'"
            let values: [String]? = value.kind == .sequence ? stringList(value, what) : string(value, what).map { [$0] }
            if let values { c.attributes.append((name, values)) }
        }
        return c
    }
}
