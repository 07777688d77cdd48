import ArgumentParser
import CommandDriver
import Digest
import Foundation
import Glibc
import Lab
import MailboxDriver
import Steps

/// `mailshift-bench cross-host`: the benchmark corpus moved from a legacy sshd "host" to a store
/// sshd "host" over loopback through this process (the two-host data path: source agent → relay
/// → store agent), against the local import of the same corpus in the same run.
///
/// CPU: this process's own (relay, ssh clients once reaped) against the store agents', which a
/// wrapper records with `/usr/bin/time` as each agent exits (sshd's children are not ours).
struct CrossHostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cross-host", abstract: "Two-host import (legacy sshd → relay → store sshd) vs local import of the same corpus.")

    @Option(help: "Users (mailboxes); variants cycle.") var users = 20
    @Option(help: "Messages per mailbox.") var messages = 2000
    @Option(help: "Work directory (corpus, stores).") var work = "/var/tmp/mailshift-bench-cross-host"
    @Option(help: "Mailboxes moved at once.") var parallel = 4
    @Option(help: "The mailshift binary the agents run (default: beside this benchmark).") var agent: String?
    @Option(help: "ssh cipher for both sessions (ssh's Ciphers=), e.g. aes128-gcm@openssh.com (default: ssh's choice).") var cipher: String?
    @Flag(help: "ssh compression on both sessions (Compression=yes).") var compression = false
    @Flag(help: "Skip the local import and the by-hand peer (the two-host phase only, e.g. under perf).") var twoHostOnly = false

    func run() async throws {
        let corpusBench = try MailboxBench.parse(["--users", String(users), "--messages", String(messages), "--work", work])
        let (mboxes, corpusBytes, _) = try corpusBench.makeCorpus(work + "/corpus")
        let totalMessages = users * messages
        print("corpus: \(users) mailboxes × \(messages) messages, \(corpusBytes / 1_000_000) MB of mbox; \(parallel) at once")
        let binary = agent ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mailshift").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw ValidationError("no mailshift at \(binary): build it, or pass --agent") }

        // Local: the direct path, one process reading and writing. Measured first and last (the
        // disk is shared with other work: the spread says how much the order matters), each
        // phase after a `sync` so one phase's writeback does not land on the next.
        //
        // No phase's files are deleted before the last phase ends: ext4 skips inodes deleted in
        // the last few seconds when it allocates (`recently_deleted`, found with perf: 60 % of a
        // store agent's CPU right after a 40,000-file `rm -rf`), so a phase run after the
        // previous one's cleanup paid for it, by up to 3× the CPU.
        let phases = ["store-local", "store-local-last", "store-remote", "store-peer"].map { work + "/" + $0 }
        // The same holds across runs: wait out the window since the last run's cleanup.
        let cleaned = work + "/.cleaned-at"
        let leftovers = phases.filter { FileManager.default.fileExists(atPath: $0) }
        for root in leftovers { try? FileManager.default.removeItem(atPath: root) }
        let last = leftovers.isEmpty ? (try? FileManager.default.attributesOfItem(atPath: cleaned)[.modificationDate] as? Date) ?? nil : Date()
        if let last, Date().timeIntervalSince(last) < 65 {
            let wait = 65 - Date().timeIntervalSince(last)
            print(String(format: "waiting %.0f s for ext4's recently-deleted window since the last cleanup", wait))
            try await Task.sleep(for: .seconds(wait))
        }
        defer {
            for root in phases { try? FileManager.default.removeItem(atPath: root) }
            _ = FileManager.default.createFile(atPath: cleaned, contents: nil)
        }
        func localImport(_ localRoot: String) async throws -> (seconds: Double, cpu: Double, files: Int) {
            _ = try runTool(["/usr/bin/sync"])
            let c0 = cpuSeconds()
            let t0 = Date()
            try await corpusBench.forEachMailbox(mboxes) { i, mbox in
                _ = try MboxImport.run(file: mbox, maildir: "\(localRoot)/user\(i)", options: MboxImportOptions(timeZone: TimeZone(identifier: "UTC")!, ifAmbiguous: .mboxo))
            }
            return (Date().timeIntervalSince(t0), cpuSeconds() - c0, countFiles(localRoot))
        }
        let localFirst = twoHostOnly ? (seconds: Double.nan, cpu: Double.nan, files: 0) : try await localImport(phases[0])

        // Two hosts: legacy and store sshd, an agent wrapper that logs each agent's CPU.
        let sshDir = work + "/ssh"
        try? FileManager.default.removeItem(atPath: sshDir)
        for d in ["legacy", "store"] { try FileManager.default.createDirectory(atPath: "\(sshDir)/\(d)", withIntermediateDirectories: true) }
        let cpuLog = sshDir + "/agent-cpu"
        let wrapper = sshDir + "/agent-timed"
        // Each sshd names its side in the sessions' environment; the wrapper logs it with the CPU.
        try "#!/bin/sh\nexec /usr/bin/time -a -o \(cpuLog) -f \"%U %S ${MAILSHIFT_BENCH_SIDE:-unknown}\" \(binary) \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        let legacy = try SSHDInstance.start(in: "\(sshDir)/legacy", maxLifetime: 7200, environment: ["MAILSHIFT_BENCH_SIDE": "source"])
        defer { legacy.stop() }
        let store = try SSHDInstance.start(in: "\(sshDir)/store", maxLifetime: 7200, environment: ["MAILSHIFT_BENCH_SIDE": "store"])
        defer { store.stop() }
        var legacyHost = legacy.endpoint
        legacyHost.name = "legacy"
        var storeHost = store.endpoint
        storeHost.name = "store"
        let extra = (cipher.map { ["Ciphers=\($0)"] } ?? []) + (compression ? ["Compression=yes"] : [])
        legacyHost.sshOptions += extra
        storeHost.sshOptions += extra
        let transport = HostTransport(ssh: SSHTransport(.init(configFile: legacy.clientConfig, sessionsPerHost: max(8, parallel))))
        let runner = MailboxImportRunner(transport: transport, agentExecutable: wrapper)
        let context = StepContext(dryRun: false, hosts: ["legacy": legacyHost, "store": storeHost])
        _ = try await transport.run(["true"], on: legacyHost, stdin: nil, timeout: 30)  // masters up before the clock
        _ = try await transport.run(["true"], on: storeHost, stdin: nil, timeout: 30)
        print("ssh: \(Self.cipher(legacy, legacyHost, options: extra)), compression \(compression ? "on" : "off")")
        let remoteRoot = phases[2]
        _ = try runTool(["/usr/bin/sync"])
        let c1 = cpuSeconds()
        let k1 = cpuSeconds(children: true)
        let t1 = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let i = next
                next += 1
                let target = StoreTarget(kind: .maildir, host: "store", maildir: "\(remoteRoot)/user\(i)")
                let step = StepInstance(
                    index: i, id: "bench/import/user\(i)",
                    action: .mailboxImport(MailboxImportParameters(mbox: mboxes[i], format: "auto", timezone: "UTC", store: target, lock: false, ifAmbiguous: "mboxo")),
                    template: 0, batch: "bench", user: "user\(i)", users: [], host: legacyHost,
                    fingerprint: Fingerprint(fields: ["bench", String(i)]), label: nil, reversible: true)
                group.addTask { _ = try await runner.apply(step, context: context) }
            }
            for _ in 0..<min(parallel, mboxes.count) { add() }
            while try await group.next() != nil { if next < mboxes.count { add() } }
        }
        let remoteSeconds = Date().timeIntervalSince(t1)
        await transport.close()
        let orchestratorCPU = (cpuSeconds() - c1) + (cpuSeconds(children: true) - k1)
        let remoteFiles = countFiles(remoteRoot)
        let agents = Self.agentCPU(cpuLog)

        if twoHostOnly {
            print(String(format: "two hosts: legacy → relay → store %8.2f s  %9.0f msgs/s  %7d files  cpu: orchestrator %.2f s, store agents %.2f s, source agents %.2f s",
                remoteSeconds, Double(totalMessages) / remoteSeconds, remoteFiles, orchestratorCPU, agents.store, agents.source))
            return
        }
        // The peer by hand: `ssh legacy cat mbox > copy`, then a local import of the copy.
        let peerRoot = phases[3]
        try FileManager.default.createDirectory(atPath: peerRoot, withIntermediateDirectories: true)
        _ = try runTool(["/usr/bin/sync"])
        let t2 = Date()
        let sshArgs = ["/usr/bin/ssh", "-F", legacy.clientConfig, "-p", String(legacy.port), "-o", "BatchMode=yes", "127.0.0.1", "cat"]
        try await corpusBench.forEachMailbox(mboxes) { i, mbox in
            let copy = "\(peerRoot)/user\(i).mbox"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: sshArgs[0])
            p.arguments = Array(sshArgs.dropFirst()) + [mbox]
            _ = FileManager.default.createFile(atPath: copy, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
            p.standardOutput = out
            try p.run()
            p.waitUntilExit()
            try out.close()
            _ = try MboxImport.run(file: copy, maildir: "\(peerRoot)/user\(i)", options: MboxImportOptions(timeZone: TimeZone(identifier: "UTC")!, ifAmbiguous: .mboxo))
        }
        let peerSeconds = Date().timeIntervalSince(t2)
        let peerFiles = countFiles(peerRoot)  // messages in new/ and cur/ (the copies are not counted)
        let localLast = try await localImport(phases[1])
        let localSeconds = (localFirst.seconds + localLast.seconds) / 2

        func line(_ label: String, _ s: Double, _ files: Int, _ cpu: String) {
            print(String(format: "%@ %8.2f s  %9.0f msgs/s  %7d files  %@", label.padding(toLength: 44, withPad: " ", startingAt: 0), s, Double(totalMessages) / s, files, cpu))
        }
        line("local import (one process), first", localFirst.seconds, localFirst.files, String(format: "cpu %.2f s", localFirst.cpu))
        line("local import (one process), last", localLast.seconds, localLast.files, String(format: "cpu %.2f s", localLast.cpu))
        line("two hosts: legacy → relay → store", remoteSeconds, remoteFiles,
            String(format: "cpu: orchestrator %.2f s, store agents %.2f s, source agents %.2f s", orchestratorCPU, agents.store, agents.source))
        line("by hand: ssh cat > copy, then import", peerSeconds, peerFiles, "(the copy lands on this machine)")
        let ratio = localSeconds / remoteSeconds
        let cpuRatio = agents.store > 0 ? orchestratorCPU / agents.store : .nan
        print(String(format: "throughput two hosts / local (mean of first and last): %.2fx (target >= 0.7x); orchestrator cpu / store agent cpu: %.2f (target <= 0.3)", ratio, cpuRatio))
        BenchResult(name: "cross-host: \(totalMessages) messages legacy sshd → relay → store sshd", value: Double(totalMessages) / remoteSeconds, unit: "msgs/s",
            baseline: Double(totalMessages) / localSeconds, peer: "local import of the same corpus", ratio: ratio,
            target: "≥ 0.7× local", met: ratio >= 0.7).emit()
        BenchResult(name: "cross-host: orchestrator cpu / store agents' cpu", value: cpuRatio, unit: "ratio", target: "≤ 0.3",
            met: cpuRatio <= 0.3).emit()
    }

    /// The cipher ssh negotiates with this sshd (from `ssh -v`).
    static func cipher(_ sshd: SSHDInstance, _ host: HostEndpoint, options: [String]) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
        p.arguments = ["-v", "-F", sshd.clientConfig, "-p", String(sshd.port), "-o", "BatchMode=yes"] + options.flatMap { ["-o", $0] } + ["127.0.0.1", "true"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "unknown cipher" }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        // ssh ends its diagnostics with CRLF, one Character in Swift: split on any newline.
        let line = text.split(whereSeparator: \.isNewline).first { $0.contains("cipher:") && $0.contains("server->client") }
        guard let line, let at = line.range(of: "cipher: ") else { return "cipher not reported" }
        return "cipher " + line[at.upperBound...]

    }

    /// CPU seconds of the agents, by side, from the wrapper's `/usr/bin/time` lines.
    static func agentCPU(_ path: String) -> (store: Double, source: Double) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var store = 0.0, source = 0.0
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3, let u = Double(f[0]), let s = Double(f[1]) else { continue }
            if f[2] == "store" { store += u + s } else if f[2] == "source" { source += u + s }
        }
        return (store, source)
    }
}
