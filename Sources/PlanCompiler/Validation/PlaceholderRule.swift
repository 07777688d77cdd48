import Diagnostics
import PlanModel
import Steps

/// Templates use only the placeholders mailshift expands, each where the step it becomes fills it
/// in, and per-user paths name the user. A `{user}` in a command that runs once would never be
/// filled in: the driver would run it for no user at all and journal it as done.
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
        /// An argv of a command that runs `runs`; `unknown: false` for services' start/stop/running,
        /// which never had their braces checked (a shell snippet there may hold `{ … }`).
        func argv(_ a: Located<[String]>?, _ what: String, runs: CommandRepetition?, unknown: Bool = true, runHasUser: Bool = true) {
            guard let a else { return }
            for arg in a.value where !unknown || scan(arg, what, a.range) {
                guard let runs else { continue }
                for name in Set(placeholders(in: arg)) where allowed.contains(name) {
                    if !runs.expanded.contains(name) {
                        diagnostics.append(.placeholderNotExpanded(name, in: what, runs: runs, at: a.range))
                    } else if name == "user", runs == .perBatch, !runHasUser {
                        diagnostics.append(.userOnlyInCheck(in: what, at: a.range))
                    }
                }
            }
        }
        func command(_ r: RunSpec?, _ what: String, runs: CommandRepetition?) {
            guard let r else { return }
            argv(r.run, what + ".run", runs: runs)
            // The driver runs the command per user only when its `run` holds `{user}`.
            argv(r.check, what + ".check", runs: runs, runHasUser: r.run?.value.contains { $0.contains("{user}") } ?? false)
        }
        if let store = plan.store {
            if let p = store.path {
                // A misspelt {user} was just reported; "must contain {user}" would repeat it.
                if scan(p.value, "store.path", p.range, allowed: ["user"]), !p.value.contains("{user}") { diagnostics.append(.missingUserPlaceholder("store.path", at: p.range)) }
            }
            argv(store.importArgv, "store.import", runs: CommandRepetition.store)
            argv(store.countArgv, "store.count", runs: CommandRepetition.store)
        }
        if let saved = plan.forward?.saved {
            if scan(saved.value, "forward.saved", saved.range, allowed: ["user"]), !saved.value.contains("{user}") { diagnostics.append(.missingUserPlaceholder("forward.saved", at: saved.range)) }
        }
        let s = plan.services
        if let hold = s.hold {
            argv(hold.slave, "services.hold.slave", runs: CommandRepetition.hold)
            argv(hold.master, "services.hold.master", runs: CommandRepetition.hold)
            if let d = hold.spoolDir { scan(d.value, "services.hold.spool_dir", d.range, allowed: ["user"]) }
        }
        if let c = s.choke {
            argv(c.hold, "services.choke.hold", runs: CommandRepetition.choke)
            argv(c.release, "services.choke.release", runs: CommandRepetition.choke)
        }
        command(s.dirsync, "services.dirsync", runs: CommandRepetition.dirsync(plan.strategy?.value))
        command(s.proxySetup, "services.proxy_setup", runs: CommandRepetition.proxySetup)
        // deluser is its own step per user; '{mbox}' is the user's spool mailbox, as in retire.
        argv(s.deluser?.run, "services.deluser.run", runs: CommandRepetition.deluser)
        argv(s.deluser?.check, "services.deluser.check", runs: CommandRepetition.deluser)
        argv(s.workingCheck?.run, "services.working_check.run", runs: CommandRepetition.workingCheck)
        for (name, service) in [("legacy_mta", s.legacyMTA), ("store_server", s.storeServer), ("proxy_server", s.proxyServer)] {
            guard let service else { continue }
            for (key, a) in [("start", service.start), ("stop", service.stop), ("running", service.running)] {
                argv(a, "services.\(name).\(key)", runs: CommandRepetition.service, unknown: false)
            }
        }
    }

    /// The names between `{` and `}` in `text`.
    static func placeholders(in text: String) -> [String] { StepParameters.placeholders(in: text) }
}
