import Diagnostics
import PlanModel

/// Templates use only the placeholders mailshift expands, and per-user paths name the user.
struct PlaceholderRule: ValidationRule {
    static let allowed = ["user", "batch", "host", "mbox"]

    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        let plan = input.plan
        /// Reports unknown placeholders; returns false when there was one.
        @discardableResult
        func scan(_ text: String, _ what: String, _ range: SourceRange, allowed: [String] = allowed) -> Bool {
            var clean = true
            for name in placeholders(in: text) where !allowed.contains(name) {
                diagnostics.append(.unknownPlaceholder(name, in: what, allowed: allowed, at: range))
                clean = false
            }
            return clean
        }
        func argv(_ a: Located<[String]>?, _ what: String) {
            guard let a else { return }
            for arg in a.value { scan(arg, what, a.range) }
        }
        if let store = plan.store {
            if let p = store.path {
                // A misspelt {user} was just reported; "must contain {user}" would repeat it.
                if scan(p.value, "store.path", p.range, allowed: ["user"]), !p.value.contains("{user}") { diagnostics.append(.missingUserPlaceholder("store.path", at: p.range)) }
            }
            argv(store.importArgv, "store.import")
            argv(store.countArgv, "store.count")
        }
        if let saved = plan.forward?.saved {
            if scan(saved.value, "forward.saved", saved.range, allowed: ["user"]), !saved.value.contains("{user}") { diagnostics.append(.missingUserPlaceholder("forward.saved", at: saved.range)) }
        }
        if let hold = plan.services.hold {
            argv(hold.slave, "services.hold.slave")
            argv(hold.master, "services.hold.master")
            if let d = hold.spoolDir { scan(d.value, "services.hold.spool_dir", d.range, allowed: ["user"]) }
        }
        if let c = plan.services.choke {
            argv(c.hold, "services.choke.hold")
            argv(c.release, "services.choke.release")
        }
        for r in [plan.services.dirsync, plan.services.proxySetup, plan.services.deluser].compactMap({ $0 }) {
            argv(r.run, "a services command")
        }
    }

    /// The names between `{` and `}` in `text`.
    static func placeholders(in text: String) -> [String] {
        guard text.contains("{") else { return [] }
        var out: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }
}
