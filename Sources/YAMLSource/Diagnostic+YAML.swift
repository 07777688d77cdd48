import Diagnostics

/// The loader's message catalogue: every diagnostic YAMLSource emits is made here.
extension Diagnostic {
    static func yamlSyntax(_ problem: String, context: String?, at range: SourceRange, tab: Bool) -> Diagnostic {
        let message = context.map { "\(problem) \($0)" } ?? problem
        let hint =
            tab
            ? "YAML does not allow tabs for indentation: indent with spaces"
            : "check the indentation and punctuation at this point (a ':' after each key, '- ' before each list item)"
        return .error("yaml.syntax", "YAML syntax error: \(message)", at: range, hint: hint)
    }

    static func yamlNotUTF8(at range: SourceRange) -> Diagnostic {
        .error("yaml.encoding", "the file is not valid UTF-8", at: range, hint: "save the plan as UTF-8 text")
    }

    static func yamlUnreadable(_ file: String, reason: String) -> Diagnostic {
        .error("yaml.unreadable", "cannot read '\(file)': \(reason)", hint: "check the path and its permissions")
    }

    static func yamlDuplicateKey(_ key: String, at range: SourceRange, first: SourceRange) -> Diagnostic {
        .error(
            "yaml.duplicate-key", "duplicate key '\(key)'", at: range,
            hint: "each key may appear once in a mapping; merge the two entries",
            notes: [.init(message: "'\(key)' first appears here", range: first)])
    }

    static func yamlTooDeep(limit: Int, at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.too-deep", "nesting deeper than \(limit) levels", at: range,
            hint: "a plan never needs this much nesting; check for a runaway indentation")
    }

    static func yamlUndefinedAlias(_ name: String, at range: SourceRange) -> Diagnostic {
        .error("yaml.undefined-alias", "alias '*\(name)' refers to no anchor", at: range,
            hint: "define '&\(name)' on a node before this point")
    }

    static func yamlRecursiveAlias(_ name: String, at range: SourceRange) -> Diagnostic {
        .error("yaml.recursive-alias", "alias '*\(name)' refers to a node that contains it", at: range,
            hint: "an alias may only repeat a node that is already complete")
    }

    static func yamlAliasBomb(limit: Int, at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.alias-expansion", "aliases expand to more than \(limit) nodes", at: range,
            hint: "write the values out, or use fewer nested aliases")
    }

    static func yamlMultipleDocuments(at range: SourceRange) -> Diagnostic {
        .error("yaml.multiple-documents", "a plan file holds one YAML document; a second one starts here",
            at: range, hint: "remove the '---' line, or split the file into two plans")
    }

    static func yamlComplexKey(at range: SourceRange) -> Diagnostic {
        .error("yaml.complex-key", "a mapping key must be a scalar", at: range,
            hint: "write the key as plain text")
    }
}
