import Diagnostics
import SystemCalls

/// The compiler's message catalogue: every diagnostic validation and lowering emit is made here.
extension Diagnostic {
    static func unknownHost(_ name: String, usedAs use: String, known: [String], at range: SourceRange) -> Diagnostic {
        let hint =
            NameSuggester.suggest(name, among: known).map { "did you mean '\($0)'?" }
            ?? (known.isEmpty ? "define it under 'hosts:'" : "hosts defined: \(known.joined(separator: ", "))")
        return .error("compiler.unknown-host", "unknown host '\(name)' (\(use))", at: range, hint: hint)
    }

    static func hostLacksRole(_ name: String, role: String, usedAs use: String, at range: SourceRange, hostRange: SourceRange) -> Diagnostic {
        .error(
            "compiler.host-role", "host '\(name)' is used as \(use) but lacks the role '\(role)'", at: range,
            hint: "add '\(role)' to the roles of host '\(name)'",
            notes: [.init(message: "host '\(name)' is defined here", range: hostRange)])
    }

    static func noStoreHost(candidates: [String], at range: SourceRange) -> Diagnostic {
        let detail = candidates.isEmpty ? "no host has the role 'store'" : "several hosts have the role 'store' (\(candidates.joined(separator: ", ")))"
        return .error("compiler.store-host", "cannot tell which host is the store: \(detail)", at: range,
            hint: "name it with 'host:' under 'store:'")
    }

    static func unknownBatch(_ name: String, known: [String], at range: SourceRange) -> Diagnostic {
        let hint = NameSuggester.suggest(name, among: known).map { "did you mean '\($0)'?" } ?? "batches defined: \(known.joined(separator: ", "))"
        return .error("compiler.unknown-batch", "'after' names unknown batch '\(name)'", at: range, hint: hint)
    }

    static func duplicateBatch(_ name: String, at range: SourceRange, first: SourceRange) -> Diagnostic {
        .error("compiler.duplicate-batch", "batch name '\(name)' is used twice", at: range,
            hint: "give each batch its own name",
            notes: [.init(message: "first used here", range: first)])
    }

    static func chunkNameTaken(_ name: String, chunked: String, at range: SourceRange, chunk: SourceRange) -> Diagnostic {
        .error("compiler.duplicate-batch", "batch name '\(name)' is also the name of a chunk of batch '\(chunked)'", at: range,
            hint: "chunks of '\(chunked)' are named \(chunked)-1, \(chunked)-2, …; rename this batch",
            notes: [.init(message: "'\(chunked)' is split into chunks here", range: chunk)])
    }

    static func badBatchName(_ name: String, reason: String, at range: SourceRange) -> Diagnostic {
        .error("compiler.batch-name", "batch name '\(name)' \(reason)", at: range,
            hint: "use letters, digits, '.', '_' and '-' (step ids are '<batch>/<step>/<user>'; 'global' is reserved)")
    }

    static func afterCycle(_ cycle: [String], at range: SourceRange) -> Diagnostic {
        .error("compiler.after-cycle", "batches wait for each other in a cycle: \(cycle.joined(separator: " → "))", at: range,
            hint: "remove one of these 'after' entries")
    }

    static func duplicateUser(_ user: String, batch: String, firstBatch: String, at range: SourceRange?, first: SourceRange?) -> Diagnostic {
        let place = batch == firstBatch ? "twice in batch '\(batch)'" : "in batch '\(batch)' and in batch '\(firstBatch)'"
        return .error("compiler.duplicate-user", "user '\(user)' is listed \(place)", at: range,
            hint: "a user moves exactly once: remove one of the two entries",
            notes: [.init(message: "'\(user)' is first listed here", range: first)])
    }

    static func unsafeUser(_ user: String, at range: SourceRange?) -> Diagnostic {
        .error("compiler.unsafe-user", "user name '\(user)' is not a portable name", at: range,
            hint: "a user name may hold \(PortableName.rule)")
    }

    /// A users-file line is named by its place alone: the file may be the wrong one (`/etc/shadow`)
    /// and the line a secret.
    static func usersFileLineNotAName(at range: SourceRange) -> Diagnostic {
        .error("compiler.unsafe-user", "line \(range.start.line) of the users file is not a user name (its text is not shown)", at: range,
            hint: "a users file holds one user name per line ('#' starts a comment), and a name may hold \(PortableName.rule); is this the right file?")
    }

    static func usersFileUnusable(_ path: String, resolved: String, _ failure: UsersFileReader.Failure, at range: SourceRange) -> Diagnostic {
        switch failure {
        case .unreadable(let code):
            let reason = Errno(code).description
            return .error("compiler.users-file", "users file '\(path)' cannot be read (looked for '\(resolved)': \(reason))", at: range,
                hint: "the path is relative to the plan file's directory")
        case .notRegularFile:
            return .error("compiler.users-file", "users file '\(path)' is not a regular file ('\(resolved)')", at: range,
                hint: "give the path of a file of user names, not a device, FIFO or directory")
        case .tooLarge(let bytes, let limit):
            return .error("compiler.users-file-size",
                "users file '\(path)' is \(bytes) bytes, over the limit of \(limit) bytes (\(limit >> 20) MiB); it was not read", at: range,
                hint: "that is millions of users more than a mail host has: check the path; a real list this long must be split across batches' users files")
        }
    }

    static func usersFromPending(_ batch: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.note, "compiler.users-from", "batch '\(batch)' finds its users in the directory when the run starts; checked here with none",
            at: range)
    }

    static func strategyNeeds(_ strategy: String, _ what: String, why: String, at range: SourceRange?) -> Diagnostic {
        .error("compiler.strategy-needs", "strategy '\(strategy)' needs \(what)", at: range, hint: why)
    }

    static func unknownPlaceholder(_ name: String, in what: String, allowed: [String], at range: SourceRange) -> Diagnostic {
        let hint = NameSuggester.suggest(name, among: allowed).map { "did you mean '{\($0)}'?" }
            ?? "placeholders allowed here: \(allowed.map { "{\($0)}" }.joined(separator: ", "))"
        return .error("compiler.placeholder", "unknown placeholder '{\(name)}' in \(what)", at: range, hint: hint)
    }

    /// A known placeholder where the step never fills it in (it would reach the host as written).
    static func placeholderNotExpanded(_ name: String, in what: String, runs: CommandRepetition, at range: SourceRange) -> Diagnostic {
        let (why, hint): (String, String) =
            switch (name, runs) {
            case ("mbox", _):
                ("only mailbox steps (store.import, store.count, services.deluser) know a user's mailbox",
                    "write the mailbox path with {user} instead, e.g. /var/mail/{user}")
            case ("user", .once):
                ("this command runs once for the whole plan, not once per user (it would run for no user and be journaled as done)",
                    "drop '{user}'; per-user work belongs in services.deluser, or in a command that runs per batch (dirsync in the forward, choke and proxy strategies, hold, choke)")
            case ("user", .oncePerBatch):
                ("this command runs once per batch, for no user in particular",
                    "drop '{user}'; use '{batch}' to name the batch, or put per-user work in services.deluser")
            default:
                ("this command runs once for the whole plan, not per batch", "drop '{\(name)}' from this command")
            }
        return .error("compiler.placeholder", "'{\(name)}' in \(what) is never filled in: \(why)", at: range, hint: hint)
    }

    static func userOnlyInCheck(in what: String, at range: SourceRange) -> Diagnostic {
        .error("compiler.placeholder", "'{user}' in \(what) is never filled in: the command runs once per batch because its 'run' has no '{user}'",
            at: range, hint: "put '{user}' in 'run' too (to run it per user), or drop it from 'check'")
    }

    static func missingUserPlaceholder(_ what: String, at range: SourceRange) -> Diagnostic {
        .error("compiler.placeholder", "\(what) must contain '{user}'", at: range,
            hint: "each user needs a distinct path, e.g. /srv/mail/{user}/Maildir")
    }

    static func relativePath(_ what: String, _ value: String, at range: SourceRange?) -> Diagnostic {
        .error("compiler.relative-path", "\(what) must be an absolute path; found '\(value)'", at: range,
            hint: "paths are used on the hosts, where a relative path would depend on the login directory: start it with '/'")
    }

    static func climbingPath(_ what: String, _ value: String, at range: SourceRange?) -> Diagnostic {
        .error("compiler.climbing-path", "\(what) must not contain '..'; found '\(value)'", at: range,
            hint: "write the path without '..' segments")
    }

    static func archiveDirNeeded(at range: SourceRange?) -> Diagnostic {
        .error("compiler.archive-dir", "'retire_source: archive' needs 'archive_dir' under 'policy:'", at: range,
            hint: "add archive_dir: /var/mail.archive (where each verified mailbox is moved)")
    }

    static func deleteAfterCountOnly(at range: SourceRange?) -> Diagnostic {
        .warning("compiler.weak-verify", "source mailboxes will be deleted after only their message count was verified", at: range,
            hint: "use 'verify: digest' (per-message digests) before deleting, or 'retire_source: archive'")
    }

    static func unsafeRetire(_ stepPrefix: String) -> Diagnostic {
        .error("compiler.unsafe-retire", "'\(stepPrefix)' would retire a source mailbox without depending on a passed verify of the same user",
            hint: "this is a bug in mailshift's lowering: please report it; nothing was run")
    }

    static func incompletePlan() -> Diagnostic {
        .error("compiler.incomplete", "the plan lacks what its strategy needs to be compiled (strategy, source host or store host)",
            hint: "this should have been reported more precisely: please report it")
    }

    static func graphCycle(_ stepPrefix: String) -> Diagnostic {
        .error("compiler.graph-cycle", "the step graph has a cycle through '\(stepPrefix)'",
            hint: "this is a bug in mailshift's lowering: please report it; nothing was run")
    }
}

extension Diagnostic {
    /// Caps a flood of one kind of problem (a bad users file can hold thousands).
    static let reportLimit = 50

    static func andMore(_ count: Int, of what: String) -> Diagnostic {
        Diagnostic(.note, "compiler.more", "\(count) more \(what) not shown")
    }
}

/// What `check` refuses (or warns about) because the run would ignore it or fail on it later.
extension Diagnostic {
    static func workingCheckNeverRuns(at range: SourceRange) -> Diagnostic {
        .warning("compiler.working-check-never-runs",
            "services.working_check never runs: it guards the irreversible steps, and this plan has none ('policy.retire_source' is 'keep' and there is no services.deluser)",
            at: range, hint: "remove services.working_check, or set retire_source: archive or delete under policy:")
    }

    static func ignoredByStrategy(_ section: String, strategy: String, usedBy: [String], at range: SourceRange) -> Diagnostic {
        let users = usedBy.count == 1 ? "strategy \(usedBy[0]) uses" : "strategies \(usedBy.joined(separator: " and ")) use"
        return .warning("compiler.ignored-by-strategy", "'\(section)' is ignored by strategy \(strategy)", at: range,
            hint: "only \(users) it: remove it, or change the strategy (a warning, not an error: it changes nothing, and a site may keep one section for plans of several strategies)")
    }

    static func emptyBatch(_ batch: String, usersFile: String?, at range: SourceRange) -> Diagnostic {
        if let usersFile {
            return .error("compiler.empty-batch", "batch '\(batch)' has no users: users file '\(usersFile)' names none", at: range,
                hint: "a users file holds one user name per line ('#' starts a comment); is this the right file? A batch without users would move nothing")
        }
        return .error("compiler.empty-batch", "batch '\(batch)' has no users", at: range,
            hint: "list its users (users: [alice, bob]) or remove the batch; a batch without users would move nothing")
    }

    static func sshOptionReserved(_ option: String, name: String, host: String, at range: SourceRange?) -> Diagnostic {
        let hint =
            switch name {
            case "batchmode":
                "remove it: ssh always runs in batch mode, since nobody can answer a prompt during a run; log in with a key (identity_file)"
            case "stricthostkeychecking":
                "remove it: host keys are always verified; put the host's key in a known_hosts file (ssh-keyscan it, compare the fingerprint) and name that file with UserKnownHostsFile=PATH"
            default:
                "remove it: mailshift multiplexes each host's ssh sessions itself"
            }
        return .error("compiler.ssh-option", "ssh option '\(option)' of host '\(host)' is refused: mailshift sets that option itself", at: range,
            hint: hint)
    }

    static func sshOptionMalformed(_ option: String, host: String, at range: SourceRange?) -> Diagnostic {
        .error("compiler.ssh-option", "ssh option '\(option)' of host '\(host)' is malformed", at: range,
            hint: "write Name=value, e.g. ConnectTimeout=10")
    }

    static func sshOptionPrompts(_ option: String, host: String, at range: SourceRange?) -> Diagnostic {
        .warning("compiler.ssh-prompt", "ssh option '\(option)' of host '\(host)' has no effect: ssh runs in batch mode and never prompts", at: range,
            hint: "log in with a key (identity_file) and remove the option (a warning, not an error: key logins still work, but no run will ever log in by password)")
    }

    static func commandStoreNeedsCount(at range: SourceRange) -> Diagnostic {
        .error("compiler.store-count", "a store of kind 'command' needs 'count', a command printing a user's message count", at: range,
            hint: "verify and a resumed import compare the store's count before and after each import; add e.g. count: [mboxutil, -c, -u, \"{user}\"] under store:")
    }

    static func digestWithCommandStore(written: Bool, at range: SourceRange) -> Diagnostic {
        let what = written ? "'verify: digest'" : "'policy.verify' defaults to digest, which"
        return .error("compiler.verify-mode", "\(what) cannot be done with a store of kind 'command': its messages are only counted", at: range,
            hint: "write verify: count under policy: (a command store is verified by its message count before and after each import)")
    }

    static func holdSpoolIgnored(at range: SourceRange, master: SourceRange) -> Diagnostic {
        .warning("compiler.hold-spool-ignored", "services.hold.spool_dir is ignored: services.hold.master releases the held mail", at: range,
            hint: "remove spool_dir, or remove master for mailshift to import the spool itself (a warning, not an error: held mail is still released, by master)",
            notes: [.init(message: "master is given here", range: master)])
    }
}
