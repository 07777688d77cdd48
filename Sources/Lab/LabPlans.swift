import Foundation

/// The four ready plans of a lab (simple, forward, choke, proxy): every host `connect: local`,
/// every path inside the lab, every service a `mailshift lab` stand-in.
public struct LabPlans: Sendable {
    public static let strategies = ["simple", "forward", "choke", "proxy"]
    public let paths: LabPaths
    public let config: LabConfig
    public let directorySection: String

    public init(paths: LabPaths, config: LabConfig, directorySection: String) {
        self.paths = paths
        self.config = config
        self.directorySection = directorySection
    }

    /// Writes `plans/<strategy>.yaml` for every strategy.
    public func write() throws {
        try FileManager.default.createDirectory(atPath: paths.plans, withIntermediateDirectories: true)
        for strategy in Self.strategies {
            try text(strategy).write(toFile: paths.plan(strategy), atomically: true, encoding: .utf8)
        }
    }

    /// The lab's mailing lists: one per batch (its first three users), moved with that batch.
    public static func groups(_ users: [String]) -> [LabGroups.Group] {
        let (first, second) = halves(users)
        return [("list-first", first), ("list-second", second)].filter { !$0.1.isEmpty }.map {
            LabGroups.Group(name: $0.0, members: Array($0.1.prefix(3)))
        }
    }

    /// The two batches' users (the second may be empty).
    static func halves(_ users: [String]) -> ([String], [String]) {
        let half = max(1, users.count / 2)
        return (Array(users.prefix(half)), Array(users.dropFirst(half)))
    }

    /// A YAML double-quoted scalar.
    static func q(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A flow list of quoted scalars.
    static func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }

    /// `mailshift lab ARGS… DIR` as a plan argv.
    func lab(_ arguments: String...) -> String {
        Self.list([config.executable, "lab"] + arguments + ["--dir", paths.root])
    }

    public func text(_ strategy: String) -> String {
        let (first, second) = Self.halves(config.users)
        var y = """
            # A mailshift lab plan (written by `mailshift lab up`): strategy \(strategy) on the lab in
            # \(paths.root). Every host is this machine; every service is a `mailshift lab` stand-in.
            version: 1
            name: lab-\(strategy)
            strategy: \(strategy)

            hosts:
              legacy: { address: \(config.legacyHost), connect: local, roles: [\(strategy == "proxy" ? "legacy, proxy" : "legacy")] }
              store:  { address: \(config.storeHost), connect: local, roles: [store] }

            \(directorySection)
            source:
              host: legacy
              spool: \(Self.q(paths.spool))
              format: auto
              if_ambiguous: mboxo      # the lab's MDA writes mboxo; its mboxrd files show `>>From `
              timezone: UTC

            store:
              kind: maildir
              path: \(Self.q(paths.storeRoot + "/{user}/Maildir"))

            """
        if let owner = config.storeOwner { y += "  owner: \(owner)              # Dovecot serves the store as this account\n" }
        if strategy == "forward" {
            y += """
                forward:
                  file: \(Self.q(paths.homes + "/{user}/.forward"))
                  saved: \(Self.q(paths.saved + "/{user}"))
                  keep_local: false
                  owner: unchanged           # lab users are not system users: no chown

                """
        }
        y += "services:\n"
        y += "  store_server: { host: store, start: \(lab("service", "start", "store")), pid_file: \(Self.q(paths.pidFile("store"))) }\n"
        y += "  dirsync:      { host: store, run: \(lab("dirsync")) }\n"
        // On a real lab `service … mta` and `… proxy` drive the legacy host's Postfix and the Dovecot proxy.
        let real = config.mailSystem == .real
        if strategy == "simple" || strategy == "proxy" {
            let pid = real ? paths.legacyMTAPidFile : paths.pidFile("mta")
            y += "  legacy_mta:   { host: legacy, stop: \(lab("service", "stop", "mta")), pid_file: \(Self.q(pid)) }\n"
        }
        if strategy == "choke" {
            y += "  choke:        { host: legacy, hold: \(lab("choke", "hold", "{user}")), release: \(lab("choke", "release", "{user}")) }\n"
        }
        if strategy == "proxy" {
            y += "  proxy_setup:  { host: legacy, run: \(lab("proxy-setup")) }\n"
            let pid = real ? paths.imapProxyPidFile : paths.pidFile("proxy")
            y += "  proxy_server: { host: legacy, start: \(lab("service", "start", "proxy")), pid_file: \(Self.q(pid)) }\n"
            y += "  hold:         { host: store, slave: \(lab("hold", "slave")), master: \(lab("hold", "master")) }\n"
        }
        y += "\nbatches:\n"
        y += "  - { name: first, users: \(Self.list(first)), groups: [list-first] }\n"
        if !second.isEmpty { y += "  - { name: second, users: \(Self.list(second)), groups: [list-second], after: [first] }\n" }
        let retire = ["simple": "keep", "forward": "archive", "choke": "delete", "proxy": "archive"][strategy] ?? "keep"
        y += """

            policy:
              parallel: 8
              per_host: 8
              verify: digest
              retire_source: \(retire)

            """
        if retire == "archive" { y += "  archive_dir: \(Self.q(paths.archive))\n" }
        y += "  auto_approve: false         # gates wait for `mailshift approve`, as a person would\n"
        return y
    }
}
