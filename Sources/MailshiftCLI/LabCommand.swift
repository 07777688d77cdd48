import ArgumentParser
import Foundation
import Lab

/// `mailshift lab`: a complete local scenario to try and test mailshift on (see docs/lab.md).
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Bring up, verify and take down a local lab (spool, slapd, store, stand-in MTA, plans).",
        subcommands: [
            LabUpCommand.self, LabDownCommand.self, LabVerifyCommand.self, LabMTACommand.self, LabServiceCommand.self,
            LabDaemonCommand.self, LabDirsyncCommand.self, LabProxySetupCommand.self, LabChokeCommand.self,
            LabHoldCommand.self, LabSlapdCommand.self, LabTrafficCommand.self, LabDeluserCommand.self,
        ])

    /// Prints a lab error and exits 1.
    static func fail(_ error: Error) -> ExitCode {
        FileHandle.standardError.write(Data("mailshift: error: \(error)\n".utf8))
        return ExitCode(1)
    }

    /// This program's absolute path, for the plans' commands.
    static var executable: String {
        let arg0 = CommandLine.arguments.first ?? "mailshift"
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return arg0.hasPrefix("/") ? arg0 : FileManager.default.currentDirectoryPath + "/" + arg0
    }
}

/// The lab directory option every helper subcommand takes.
struct LabDirOption: ParsableArguments {
    @Option(name: .long, help: "The lab directory.")
    var dir: String
    var paths: LabPaths { LabPaths(root: dir) }
}

struct LabUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "up", abstract: "Build a lab in DIR and start its processes.")
    @Argument(help: "The lab directory (absent or empty).") var dir: String
    @Option(help: "How many users.") var users = 50
    @Option(help: "Messages per mailbox.") var messages = 20
    @Option(help: "Seed of the generated mailboxes.") var seed: UInt64 = 1
    @Option(help: "Seconds between the stand-in MTA's deliveries, or with --mail real between `lab traffic`'s SMTP messages (0: none).")
    var mtaInterval = 0.5
    @Option(help: "The mail system: real (Postfix front MX and legacy MTA, Dovecot store and proxy, on 127.0.0.1) or stand-in (a fault injector, see docs/lab.md).")
    var mail = LabMailSystem.real.rawValue
    @Option(help: "same: every host is this machine; separate: legacy and store are two sshd on 127.0.0.1 with no shared disk (docs/hosts.md).")
    var hosts = "same"

    func run() throws {
        guard ["same", "separate"].contains(hosts) else { throw ValidationError("--hosts is same or separate, not '\(hosts)'") }
        var options = LabSetup.Options()
        options.users = users
        options.messages = messages
        options.seed = seed
        options.mtaInterval = mtaInterval > 0 ? mtaInterval : nil
        guard let system = LabMailSystem(rawValue: mail) else {
            throw ValidationError("--mail is real or stand-in, not '\(mail)'")
        }
        options.mail = system
        let paths = LabPaths(root: dir)
        do {
            let config = try LabSetup.up(paths, options: options, executable: LabCommand.executable)
            if hosts == "separate" { try LabSeparateHosts.up(paths, executable: LabCommand.executable) }
            print("""
                lab up in \(paths.root):
                  spool     \(paths.spool) (\(config.users.count) mailboxes × \(messages) messages, every mbox variant; manifest \(paths.manifest))
                  directory \(config.ldapURL) (slapd, \(config.peopleBase), mailHost \(config.legacyHost))
                  store     \(paths.storeRoot)/USER/Maildir
                  MTA       \(config.smtp.map { "Postfix front MX on \($0.host):\($0.port) for @\(config.domain ?? ""), log \(config.mailLog ?? "")" } ?? options.mtaInterval.map { "delivering every \($0) s (pid file \(paths.pidFile("mta")))" } ?? "not started")
                  IMAP      \(config.imap.map { "Dovecot on \($0.host):\($0.port) (login USER / lab.json user_password)" } ?? "none (stand-in store)")\(config.proxyIMAP.map { "\n  proxy     Dovecot IMAP proxy on \($0.host):\($0.port), routing by mailHost; legacy MTA on 127.0.0.1:\(config.legacySMTP?.port ?? 0)" } ?? "")
                  hosts     \(hosts == "separate" ? "legacy and store: two sshd on 127.0.0.1, no shared disk (\(paths.run)/{legacy,store}-sshd)" : "this machine (connect: local)")
                  plans     \(LabPlans.strategies.map { paths.plan($0) }.joined(separator: "\n            "))
                next: mailshift check \(paths.plan("simple")); mailshift run \(paths.plan("simple")) --dry-run
                """)
        } catch {
            _ = LabSetup.down(paths)
            throw LabCommand.fail(error)
        }
    }
}

struct LabDownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop every process `lab up` started (files stay).")
    @Argument(help: "The lab directory.") var dir: String
    func run() {
        let stopped = LabSetup.down(LabPaths(root: dir))
        print(stopped.isEmpty ? "lab down: nothing was running" : "lab down: stopped \(stopped.joined(separator: ", "))")
    }
}

struct LabVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check the lab's end state: store, directory, held mail, sources; exit 1 on any mismatch.")
    @Argument(help: "The lab directory.") var dir: String
    @Option(help: "The strategy that ran (checks how sources were retired).") var strategy: String?
    @Flag(help: "Print the store and directory state as JSON (for comparing two runs).") var json = false

    func run() throws {
        do {
            let paths = LabPaths(root: dir)
            var report = try LabVerifier(paths: paths).verify(strategy: strategy)
            if LabSeparateHosts.isSeparate(paths) { try report.addSeparateHostsCheck(paths) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                let state = ["store": report.store, "directory": report.directory]
                print(String(decoding: try encoder.encode(state), as: UTF8.self))
            } else {
                print(report.text, terminator: "")
            }
            if !report.ok { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw LabCommand.fail(error)
        }
    }
}

struct LabMTACommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mta", abstract: "The stand-in legacy MTA (runs until SIGTERM).")
    @OptionGroup var lab: LabDirOption
    @Option(help: "Seconds between deliveries.") var interval = 0.5
    @Option(help: "Stop after this many deliveries.") var limit: Int?
    func run() throws {
        do { try LabMTA(paths: lab.paths).run(interval: interval, limit: limit) } catch { throw LabCommand.fail(error) }
    }
}

struct LabServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "service", abstract: "Start or stop a lab process (mta, store, proxy stand-ins; traffic).")
    @Argument(help: "start or stop") var action: String
    @Argument(help: "mta, store, proxy or traffic") var name: String
    @OptionGroup var lab: LabDirOption
    func run() throws {
        guard ["mta", "store", "proxy", "traffic"].contains(name), ["start", "stop"].contains(action) else {
            throw ValidationError("usage: lab service start|stop mta|store|proxy|traffic --dir DIR")
        }
        do {
            if try RealMailLab.service(lab.paths, action: action, name: name) {
                return
            } else if action == "stop" {
                LabProcess.stop(pidFile: lab.paths.pidFile(name))
            } else if name == "traffic" {
                try LabSetup.startService(lab.paths, name, arguments: ["lab", "traffic", "--dir", lab.paths.root], executable: LabCommand.executable)
            } else if name == "mta" {
                try LabSetup.startService(lab.paths, name, arguments: ["lab", "mta", "--dir", lab.paths.root], executable: LabCommand.executable)
            } else {
                try LabSetup.startService(lab.paths, name, executable: LabCommand.executable)
            }
        } catch { throw LabCommand.fail(error) }
    }
}

struct LabDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "daemon", abstract: "A stand-in server process (store, proxy): a pid file until SIGTERM.")
    @Argument(help: "store or proxy") var name: String
    @OptionGroup var lab: LabDirOption
    func run() throws {
        guard ["store", "proxy"].contains(name) else { throw ValidationError("store or proxy") }
        do { try LabSetup.daemon(lab.paths, name) } catch { throw LabCommand.fail(error) }
    }
}

struct LabDirsyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dirsync", abstract: "Stand-in for the store's directory sync.")
    @OptionGroup var lab: LabDirOption
    func run() throws {
        do { print("dirsync: \(try LabStandIns.dirsync(lab.paths)) entries") } catch { throw LabCommand.fail(error) }
    }
}

struct LabProxySetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "proxy-setup", abstract: "Stand-in for configuring the legacy proxy.")
    @OptionGroup var lab: LabDirOption
    func run() throws {
        do { try LabStandIns.proxySetup(lab.paths) } catch { throw LabCommand.fail(error) }
    }
}

struct LabChokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "choke", abstract: "Stand-in choke router: hold or release one user's new mail.")
    @Argument(help: "hold or release") var action: String
    @Argument(help: "The user.") var user: String
    @OptionGroup var lab: LabDirOption
    func run() throws {
        do {
            switch action {
            case "hold": try LabStandIns.chokeHold(lab.paths, user: user)
            case "release": print("released \(try LabStandIns.chokeRelease(lab.paths, user: user)) message(s)")
            default: throw ValidationError("hold or release")
            }
        } catch let e as ValidationError { throw e } catch { throw LabCommand.fail(error) }
    }
}

struct LabHoldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hold", abstract: "Stand-in delivery hold: slave (accept) or master (release).")
    @Argument(help: "slave or master") var action: String
    @OptionGroup var lab: LabDirOption
    func run() throws {
        do {
            switch action {
            case "slave": try LabStandIns.holdSlave(lab.paths)
            case "master": print("released \(try LabStandIns.holdMaster(lab.paths)) message(s)")
            default: throw ValidationError("slave or master")
            }
        } catch let e as ValidationError { throw e } catch { throw LabCommand.fail(error) }
    }
}

struct LabSlapdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "slapd", abstract: "Restart the lab's slapd on the same port (chaos tests).")
    @Argument(help: "restart") var action: String
    @OptionGroup var lab: LabDirOption
    func run() throws {
        guard action == "restart" else { throw ValidationError("restart") }
        do { try LabSetup.restartSlapd(lab.paths) } catch { throw LabCommand.fail(error) }
    }
}

struct LabTrafficCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traffic", abstract: "Send mail through the real lab's front MX until SIGTERM (recorded in DIR/mail/sent.jsonl).")
    @OptionGroup var lab: LabDirOption
    @Option(help: "Seconds between messages.") var interval = 0.5
    @Option(help: "Stop after this many messages.") var limit: Int?
    @Option(help: "Seed of the recipient choice.") var seed: UInt64 = 1
    func run() throws {
        do { try LabTraffic(paths: lab.paths).run(interval: interval, limit: limit, seed: seed) } catch { throw LabCommand.fail(error) }
    }
}

struct LabDeluserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deluser", abstract: "Stand-in for the legacy host's imdeluser: delete one user (recorded in DIR/run/deluser.log).")
    @Argument(help: "The user.") var user: String
    @Flag(help: "Exit 0 when the user is already deleted, 1 otherwise (the plan's check).") var check = false
    @OptionGroup var lab: LabDirOption
    func run() throws {
        if check { throw ExitCode(LabStandIns.deleted(lab.paths, user: user) ? 0 : 1) }
        do { try LabStandIns.deluser(lab.paths, user: user) } catch { throw LabCommand.fail(error) }
    }
}
