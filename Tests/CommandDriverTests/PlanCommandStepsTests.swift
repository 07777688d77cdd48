import CommandDriver
import Foundation
import MailshiftTestSupport
import PlanCompiler
import Steps
import Testing

/// Every strategy's plan, with `connect: ssh` hosts pointing at a loopback sshd, compiled by the
/// real compiler; every step this driver owns runs through its runner, in dependency order:
/// inspect, apply, then inspect again (which must agree that it is done).
@Suite struct PlanCommandStepsTests {
    static let owned: Set<StepKind> = [.serviceStop, .serviceStart, .command, .forwardDivert, .forwardRestore]

    static func plan(_ strategy: String, sshd: SSHDFixture) -> String {
        let d = sshd.directory.path
        let e = sshd.endpoint
        let host = { (roles: String) in
            """
            { address: 127.0.0.1, connect: ssh, user: "\(e.user ?? "root")", port: \(e.port ?? 22), identity_file: "\(e.identityFile ?? "")",
                ssh_options: ["UserKnownHostsFile=\(sshd.instance.knownHosts)", "GlobalKnownHostsFile=/dev/null", "IdentitiesOnly=yes"], roles: [\(roles)] }
            """
        }
        let daemon = { (pid: String) in
            "{ start: [sh, -c, 'nohup sh \"$0\" \"$1\" >/dev/null 2>&1 </dev/null &', \"\(d)/mta.sh\", \"\(d)/\(pid)\"], pid_file: \"\(d)/\(pid)\", wait: 10"
        }
        var services = """
              legacy_mta: { host: legacy, stop: [sh, -c, 'kill $(cat "$0")', "\(d)/legacy.pid"], pid_file: "\(d)/legacy.pid", wait: 10 }
              store_server: \(daemon("store.pid")), host: store }
              dirsync: { host: store, run: [sh, -c, 'echo dirsync >> "$0"', "\(d)/dirsync.log"] }

            """
        var extra = ""
        switch strategy {
        case "forward":
            extra = "forward: { file: \"\(d)/home/{user}/.forward\", saved: \"\(d)/saved/{user}\", keep_local: true }\n"
        case "choke":
            services += "  choke: { host: choke, hold: [touch, \"\(d)/held-{user}\"], release: [rm, -f, \"\(d)/held-{user}\"] }\n"
        case "proxy":
            services += """
                  proxy_setup: { host: legacy, run: [touch, "\(d)/proxy-setup"], check: [test, -e, "\(d)/proxy-setup"] }
                  proxy_server: \(daemon("proxy.pid")), host: legacy }
                  hold: { host: store, slave: [sh, -c, 'echo "slave $1" >> "$0"', "\(d)/hold.log", "{user}"], master: [sh, -c, 'echo "master $1" >> "$0"', "\(d)/hold.log", "{user}"] }

                """
        default: break
        }
        return """
            version: 1
            name: ssh-\(strategy)
            strategy: \(strategy)
            hosts:
              legacy: \(host("legacy, proxy"))
              store: \(host("store"))
              choke: \(host(""))
            directory: { url: "ldap://127.0.0.1:9", base: "ou=People,dc=example,dc=org", profile: sims }
            source: { host: legacy, spool: "\(d)/spool", format: auto, timezone: UTC }
            store: { kind: maildir, path: "\(d)/store/{user}/Maildir" }
            \(extra)services:
            \(services)
            batches:
              - { name: pilot, users: [ada, ben] }
              - { name: rest, users: [cyd], after: [pilot] }
            policy: { auto_approve: true, retire_source: keep }

            """
    }

    /// Step indices in an order where each step follows its dependencies.
    static func order(_ graph: StepGraph) -> [Int] {
        var done = Set<Int>()
        var out: [Int] = []
        var progress = true
        while out.count < graph.stepCount && progress {
            progress = false
            for i in 0..<graph.stepCount where !done.contains(i) && graph.dependencies(of: i).allSatisfy(done.contains) {
                done.insert(i)
                out.append(i)
                progress = true
            }
        }
        return out
    }

    @Test(arguments: ["simple", "forward", "choke", "proxy"])
    func runsEveryCommandStepOverSSH(strategy: String) async throws {
        try await SSHDFixture.with { sshd in
            let d = sshd.directory
            try ServiceRunnerTests.mta.write(toFile: d.file("mta.sh"), atomically: true, encoding: .utf8)
            for u in ["ada", "ben", "cyd"] {
                try FileManager.default.createDirectory(atPath: d.file("home/\(u)"), withIntermediateDirectories: true)
            }
            try "ada@old.example\n".write(toFile: d.file("home/ada/.forward"), atomically: true, encoding: .utf8)
            // The legacy MTA runs before the migration.
            _ = try await LocalTransport().run(
                ["sh", "-c", "nohup sh \"$0\" \"$1\" >/dev/null 2>&1 </dev/null &", d.file("mta.sh"), d.file("legacy.pid")],
                on: localHost, stdin: nil, timeout: 10)
            defer {
                for pid in ["legacy.pid", "store.pid", "proxy.pid"] {
                    if let text = try? String(contentsOfFile: d.file(pid), encoding: .utf8), let p = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                        kill(p, SIGTERM)
                    }
                }
            }
            // Until it has written its pid file (bounded: a loaded machine can be slow to fork).
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: d.file("legacy.pid")) {
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect(FileManager.default.fileExists(atPath: d.file("legacy.pid")))
            let planPath = d.file("plan.yaml")
            try Self.plan(strategy, sshd: sshd).write(toFile: planPath, atomically: true, encoding: .utf8)
            let compiled = Compiler.compile(planAt: planPath)
            let graph = try #require(compiled.graph, "\(compiled.diagnostics.items.map(\.message))")

            let transport = HostTransport(ssh: SSHTransport(.init(configFile: sshd.clientConfig)))
            let runners = CommandDriverRunners.runners(
                transport: transport, forwardOwner: .unchanged, agentExecutable: BuiltMailshift.path ?? "mailshift")
            var outputs: [String: StepOutputs] = [:]
            var ran: [StepKind: Int] = [:]
            do {
                for i in Self.order(graph) {
                    let step = graph.step(i)
                    guard Self.owned.contains(step.kind), let runner = runners[step.kind] else { continue }
                    #expect(step.host?.connect == .ssh, "\(step.id)")
                    let known = outputs
                    let context = StepContext(dryRun: false, hosts: graph.hosts, outputs: { known[$0] })
                    _ = try await runner.inspect(step, context: StepContext(dryRun: true, hosts: graph.hosts, outputs: { known[$0] }))
                    outputs[step.id] = try await runner.apply(step, context: context)
                    let after = try await runner.inspect(step, context: context)
                    let checked = try step.kind != .command || step.parameters(CommandParameters.self).check != nil
                    #expect(after.state == (checked ? .done : .unknown), "\(step.id): \(after)")
                    ran[step.kind, default: 0] += 1
                }
            } catch {
                await transport.close()
                throw error
            }
            await transport.close()

            #expect(!FileManager.default.fileExists(atPath: d.file("legacy.pid")) || strategy == "forward" || strategy == "choke")
            #expect((ran[.command] ?? 0) > 0 || strategy == "forward")
            switch strategy {
            case "forward":
                #expect(ran[.forwardDivert] == 2 && ran[.forwardRestore] == 2)
                #expect(try String(contentsOfFile: d.file("home/ada/.forward"), encoding: .utf8) == "ada@old.example\n")
                #expect(!FileManager.default.fileExists(atPath: d.file("home/ben/.forward")))
            case "choke":
                #expect(!["ada", "ben", "cyd"].contains { FileManager.default.fileExists(atPath: d.file("held-\($0)")) })
            case "proxy":
                let log = try String(contentsOfFile: d.file("hold.log"), encoding: .utf8)
                #expect(log.contains("slave ada") && log.contains("master cyd"))
                #expect(FileManager.default.fileExists(atPath: d.file("proxy-setup")))
            default:
                #expect(try String(contentsOfFile: d.file("dirsync.log"), encoding: .utf8).contains("dirsync"))
            }
            #expect(FileManager.default.fileExists(atPath: d.file("store.pid")))
        }
    }
}
