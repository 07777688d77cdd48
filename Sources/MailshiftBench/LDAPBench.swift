import ArgumentParser
import Foundation
import Lab
import LDAPDriver
import Steps
import Digest

/// `mailshift-bench ldap`: N attribute replaces on one private slapd, with mdb syncing each write
/// and with `dbnosync`, comparing `ldapmodify -f` (sequential, and 4 processes in parallel) with
/// mailshift's pipelined `ldap.set` apply (bounded window, previous values checkpointed to a file
/// with fsync, as the journal would). Every round sets a new value, so each run does N real writes.
struct LDAPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ldap", abstract: "ldap.set pipelined apply vs ldapmodify on a private slapd.")

    @Option(help: "Entries to modify.") var users = 10_000
    @Option(help: "Outstanding operations per connection.") var window = 64
    @Option(help: "Connections mailshift uses.") var connections = 2
    @Option(help: "Rounds per variant (interleaved); the table shows each variant's fastest round.") var rounds = 3
    @Option(help: "Which database settings to measure: both, sync or nosync.") var mode = "both"
    @Option(help: "Directory for the slapd instances (on a real disk, so fsync costs what it costs).")
    var directory: String?

    func run() async throws {
        let base = directory ?? NSTemporaryDirectory() + "mailshift-ldap-bench-\(getpid())"
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: base) } }
        print("mailshift-bench ldap: \(users) replaces of mailHost per run; window \(window), \(connections) connection(s); "
              + "best of \(rounds) interleaved rounds")
        print("mode      ldapmodify -f   4 x ldapmodify   mailshift apply   mailshift vs best")
        let modes = mode == "sync" ? [true] : mode == "nosync" ? [false] : [true, false]
        var notes: [String] = []
        for sync in modes {
            let dir = base + (sync ? "/sync" : "/nosync")
            let names = (1...users).map { "user\($0)" }
            let options = SlapdOptions(users: names.map { DirectoryUser.mailUser($0) }, syncWrites: sync)
            let slapd = try SlapdInstance.start(in: dir, options: options)
            defer { slapd.stop() }
            var sequential = Double.infinity, parallel = Double.infinity, ours = Double.infinity, lookup = Double.infinity
            for round in 1...max(1, rounds) {
                // Every round writes values no entry has yet, so each variant does N real replaces.
                sequential = min(sequential, try timeLDAPModify(slapd, names, processes: 1, value: "seq\(round).example.edu", dir: dir))
                parallel = min(parallel, try timeLDAPModify(slapd, names, processes: 4, value: "par\(round).example.edu", dir: dir))
                let (apply, inspect) = try await timeApply(slapd, names, value: "store\(round).example.edu", dir: dir)
                ours = min(ours, apply)
                lookup = min(lookup, inspect)
            }
            notes.append(String(format: "%@: mailshift's read-only part (inspect: lookups and diff) took %.2fs",
                                sync ? "sync" : "dbnosync", lookup))
            let best = min(sequential, parallel)
            let label = (sync ? "sync" : "dbnosync").padding(toLength: 9, withPad: " ", startingAt: 0)
            print(label + String(format: " %13.2fs %15.2fs %16.2fs %17.2fx", sequential, parallel, ours, best / ours))
            BenchResult(name: "ldap: \(users) replaces, slapd \(sync ? "syncing each write" : "dbnosync")", value: ours,
                unit: "s", baseline: best, peer: sequential <= parallel ? "ldapmodify -f" : "4 × ldapmodify -f",
                ratio: best / ours, target: "≥ 1× the best ldapmodify (speed-up; within 5% counts: run-to-run noise)", met: ours <= best * 1.05).emit()
        }
        for note in notes { print(note) }
    }

    private func timeLDAPModify(_ slapd: SlapdInstance, _ names: [String], processes: Int, value: String, dir: String) throws -> Double {
        let layout = slapd.layout
        let parts = (0..<processes).map { p in Array(names[(names.count * p / processes)..<(names.count * (p + 1) / processes)]) }
        var files: [String] = []
        for (i, part) in parts.enumerated() {
            var ldif = ""
            ldif.reserveCapacity(part.count * 120)
            for name in part {
                ldif += "dn: \(layout.dn(of: name))\nchangetype: modify\nreplace: mailHost\nmailHost: \(value)\n\n"
            }
            let file = "\(dir)/modify-\(value)-\(i).ldif"
            try ldif.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let start = Date()
        let running = try files.map { file -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/ldapmodify")
            p.arguments = ["-x", "-H", slapd.url, "-D", layout.rootDN, "-w", layout.rootPassword, "-f", file]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in running {
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw ValidationError("ldapmodify failed with \(p.terminationStatus)") }
        }
        return Date().timeIntervalSince(start)
    }

    /// Times an inspect (read-only) and then the apply; returns (apply, inspect) seconds.
    private func timeApply(_ slapd: SlapdInstance, _ names: [String], value: String, dir: String) async throws
        -> (apply: Double, inspect: Double) {
        let passwordFile = dir + "/bind-password"
        // 0600: mailshift refuses a password file others can read.
        guard FileManager.default.createFile(atPath: passwordFile, contents: Data(slapd.layout.rootPassword.utf8),
            attributes: [.posixPermissions: 0o600]) else { throw ValidationError("cannot write \(passwordFile)") }
        let endpoint = DirectoryEndpoint(url: slapd.url, bindDN: slapd.layout.rootDN, password: .file(passwordFile),
                                         base: slapd.layout.peopleBase, window: window)
        let checkpointFile = dir + "/checkpoint.json"
        let context = StepContext(dryRun: false, directory: endpoint, checkpoint: { outputs in
            let data = try JSONEncoder().encode(outputs)
            let handle = FileHandle(forWritingAtPath: checkpointFile) ?? {
                _ = FileManager.default.createFile(atPath: checkpointFile, contents: nil)
                return FileHandle(forWritingAtPath: checkpointFile)
            }()
            guard let handle else { throw ValidationError("cannot write \(checkpointFile)") }
            defer { try? handle.close() }
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: data)
            try handle.synchronize()
        })
        let step = StepInstance(
            index: 0, id: "bench/ldap-set", action: .ldapSet(LDAPSetParameters(set: ["mailHost=\(value)"])), template: 0, batch: "bench",
            user: nil, users: ArraySlice(names), host: nil,
            fingerprint: Fingerprint(fields: ["bench"]), label: nil, reversible: true)
        let runner = LDAPSetRunner(connections: connections)
        let inspectStart = Date()
        _ = try await runner.inspect(step, context: context)
        let inspected = Date().timeIntervalSince(inspectStart)
        let start = Date()
        let outputs = try await runner.apply(step, context: context)
        let elapsed = Date().timeIntervalSince(start)
        guard outputs[LDAPSetOutputs.written] == String(names.count) else {
            throw ValidationError("mailshift wrote \(outputs[LDAPSetOutputs.written] ?? "?") of \(names.count)")
        }
        // Read every entry back: the writes must really be there.
        guard try await runner.inspect(step, context: context).state == .done else {
            throw ValidationError("after the apply, some entries still differ")
        }
        return (elapsed, inspected)
    }
}
