import Diagnostics

/// The decoder's message catalogue: every diagnostic PlanModel emits is made here.
extension Diagnostic {
    static func planUnknownKey(_ key: String, in context: String, allowed: [String], at range: SourceRange) -> Diagnostic {
        let hint =
            NameSuggester.suggest(key, among: allowed).map { "did you mean '\($0)'?" }
            ?? "allowed keys here: \(allowed.joined(separator: ", "))"
        return .error("plan.unknown-key", "unknown key '\(key)' in \(context)", at: range, hint: hint)
    }

    static func planMissingKey(_ key: String, in context: String, at range: SourceRange) -> Diagnostic {
        .error("plan.missing-key", "\(context) is missing the required key '\(key)'", at: range,
            hint: "add '\(key):' to \(context)")
    }

    static func planWrongType(_ what: String, expected: String, found: String, at range: SourceRange, hint: String? = nil) -> Diagnostic {
        .error("plan.wrong-type", "\(what) must be \(expected), not \(found)", at: range, hint: hint)
    }

    static func planBadValue(_ what: String, value: String, allowed: [String], at range: SourceRange) -> Diagnostic {
        let hint =
            NameSuggester.suggest(value, among: allowed).map { "did you mean '\($0)'?" }
            ?? "allowed values: \(allowed.joined(separator: ", "))"
        return .error("plan.bad-value", "\(what) must be one of \(allowed.joined(separator: ", ")); found '\(value)'",
            at: range, hint: hint)
    }

    static func planOutOfRange(_ what: String, value: String, expected: String, at range: SourceRange) -> Diagnostic {
        .error("plan.out-of-range", "\(what) must be \(expected); found \(value)", at: range)
    }

    static func planLiteralSecret(_ what: String, at range: SourceRange) -> Diagnostic {
        .error("plan.literal-secret", "\(what) is written in the plan; secrets must not be", at: range,
            hint: "write '{ env: MAILSHIFT_LDAP_PASSWORD }' (an environment variable) or '{ file: /etc/mailshift/ldap.secret }' (a file readable only by you), and remove the password from this file and its history")
    }

    static func planSecretShape(_ what: String, at range: SourceRange) -> Diagnostic {
        .error("plan.secret-reference", "\(what) must name exactly one of 'env' or 'file'", at: range,
            hint: "write '{ env: NAME }' or '{ file: PATH }'")
    }

    static func planVersion(_ value: String, at range: SourceRange) -> Diagnostic {
        .error("plan.version", "unsupported plan version \(value); this mailshift reads version 1", at: range,
            hint: "write 'version: 1'")
    }

    static func planEmpty(file: String) -> Diagnostic {
        .error("plan.empty", "the plan is empty", at: SourceRange(file: file, start: SourceLocation(line: 1, column: 1)),
            hint: "start from one of the examples in plans/")
    }

    static func planUserSourceCount(_ batch: String, found: [String], at range: SourceRange) -> Diagnostic {
        if found.isEmpty {
            return .error("plan.batch-users", "batch '\(batch)' names no users", at: range,
                hint: "give exactly one of 'users', 'users_file' or 'users_from'")
        }
        return .error("plan.batch-users", "batch '\(batch)' gives its users more than one way (\(found.joined(separator: ", ")))",
            at: range, hint: "keep exactly one of 'users', 'users_file' or 'users_from'")
    }
}
