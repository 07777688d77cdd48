import CommandDriver
import Foundation
import Lab
import MailshiftTestSupport
import Steps
import Testing

/// Every test here runs a real sshd on 127.0.0.1 (`SSHDFixture`).
@Suite struct SSHTransportTests {
    static func transport(_ sshd: SSHDFixture, multiplex: Bool = true) -> SSHTransport {
        SSHTransport(.init(configFile: sshd.clientConfig, multiplex: multiplex, connectTimeout: 20))
    }

    @Test func runsARemoteCommandThroughAMaster() async throws {
        try await SSHDFixture.with { sshd in
            let ssh = Self.transport(sshd)
            let first = try await ssh.run(
                ["sh", "-c", "echo $0-$1; echo err >&2; exit 7", "a", "b c"], on: sshd.endpoint, stdin: nil, timeout: 20)
            #expect(first.status == 7)
            #expect(String(decoding: first.stdout, as: UTF8.self) == "a-b c\n")
            #expect(String(decoding: first.stderr, as: UTF8.self) == "err\n")
            let echoed = try await ssh.run(["cat"], on: sshd.endpoint, stdin: Data("hello\nworld".utf8), timeout: 20)
            #expect(String(decoding: echoed.stdout, as: UTF8.self) == "hello\nworld")
            await ssh.close()
        }
    }

    @Test func manyConcurrentCommandsShareTheMaster() async throws {
        try await SSHDFixture.with { sshd in
            let ssh = Self.transport(sshd)
            let endpoint = sshd.endpoint
            let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await ssh.run(["sh", "-c", "exit $0", String(i % 5)], on: endpoint, stdin: nil, timeout: 30).status
                    }
                }
                return try await group.reduce(into: [Int32]()) { $0.append($1) }
            }
            await ssh.close()
            #expect(statuses.sorted() == (0..<40).map { Int32($0 % 5) }.sorted())
        }
    }

    @Test func restartsAMasterThatIdledOut() async throws {
        try await SSHDFixture.with { sshd in
            let ssh = SSHTransport(.init(configFile: sshd.clientConfig, controlPersist: 1, connectTimeout: 20))
            #expect(try await ssh.run(["true"], on: sshd.endpoint, stdin: nil, timeout: 20).status == 0)
            try await Task.sleep(nanoseconds: 3_000_000_000)  // the master exits and removes its socket
            #expect(try await ssh.run(["echo", "back"], on: sshd.endpoint, stdin: nil, timeout: 20).stdout == Data("back\n".utf8))
            await ssh.close()
        }
    }

    @Test func userDataCannotRunAnythingRemotely() async throws {
        try await SSHDFixture.with { sshd in
            let canary = sshd.directory.file("canary")
            let evil = [
                "'; touch \(canary); '", "\"; touch \(canary); \"", "$(touch \(canary))", "`touch \(canary)`",
                "a b\ttab", "x\ntouch \(canary)\n", "\\'$(touch \(canary))\\'", "; touch \(canary)", "| touch \(canary)",
                "&& touch \(canary)", "$HOME", "*", "", "-n", "'", "\\",
            ]
            for multiplex in [true, false] {
                let ssh = Self.transport(sshd, multiplex: multiplex)
                let out = try await ssh.run(["printf", "%s\\0"] + evil, on: sshd.endpoint, stdin: nil, timeout: 20)
                await ssh.close()
                #expect(out.status == 0)
                let words = out.stdout.split(separator: 0, omittingEmptySubsequences: false).dropLast()
                    .map { String(decoding: $0, as: UTF8.self) }
                #expect(words == evil)
            }
            #expect(!FileManager.default.fileExists(atPath: canary))
        }
    }

    /// Whether a process on this machine runs exactly `argv` (read from /proc, no pgrep needed).
    static func processRuns(argv: [String]) -> Bool {
        let wanted = Data(argv.joined(separator: "\0").utf8) + Data([0])
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.contains { pid in
            pid.allSatisfy(\.isNumber) && FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") == wanted
        }
    }

    @Test func killsARemoteCommandAtItsTimeout() async throws {
        try await SSHDFixture.with { sshd in
            let ssh = Self.transport(sshd)
            // A duration no other process here sleeps, to find the remote one afterwards.
            let marker = "37.\(Int.random(in: 100_000...999_999))"
            do {
                // Were the client not killed, `sleep` would end normally and nothing be thrown.
                _ = try await ssh.run(["sleep", marker], on: sshd.endpoint, stdin: nil, timeout: 1)
                Issue.record("expected a timeout")
            } catch let failure as CommandFailure {
                #expect(failure.reason == .timedOut(seconds: 1))
                #expect(failure.disposition == .transient)
            }
            // The remote command stops at its deadline too (sshd runs it on this machine).
            var remoteGone = false
            for _ in 0..<40 where !remoteGone {
                remoteGone = !Self.processRuns(argv: ["sleep", marker])
                if !remoteGone { try await Task.sleep(nanoseconds: 250_000_000) }
            }
            #expect(remoteGone, "the remote sleep outlived its timeout")
            // The connection still serves the next command.
            let next = try await ssh.run(["true"], on: sshd.endpoint, stdin: nil, timeout: 20)
            #expect(next.status == 0)
            await ssh.close()
        }
    }

    @Test func anUnreachableHostIsTransient() async throws {
        try await SSHDFixture.with { sshd in
            var closed = sshd.endpoint
            closed.port = try LoopbackPorts.one()
            for multiplex in [true, false] {
                let ssh = Self.transport(sshd, multiplex: multiplex)
                do {
                    _ = try await ssh.run(["true"], on: closed, stdin: nil, timeout: 20)
                    Issue.record("expected a failure")
                } catch let failure as CommandFailure {
                    #expect(failure.reason == .sshUnreachable)
                    #expect(failure.disposition == .transient)
                    #expect(failure.summary.lowercased().contains("refused"))
                }
                await ssh.close()
            }
        }
    }

    @Test func aWrongHostKeyIsRefusedPermanently() async throws {
        try await SSHDFixture.with { sshd in
            let canary = sshd.directory.file("ran")
            var spoofed = sshd.endpoint
            spoofed.sshOptions = ["UserKnownHostsFile=\(try await sshd.foreignKnownHosts())", "GlobalKnownHostsFile=/dev/null"]
            for multiplex in [true, false] {
                let ssh = Self.transport(sshd, multiplex: multiplex)
                do {
                    _ = try await ssh.run(["touch", canary], on: spoofed, stdin: nil, timeout: 20)
                    Issue.record("expected a host key failure")
                } catch let failure as CommandFailure {
                    #expect(failure.reason == .sshHostKey)
                    #expect(failure.disposition == .permanent)
                    #expect(failure.hint != nil)
                }
                await ssh.close()
            }
            #expect(!FileManager.default.fileExists(atPath: canary))
        }
    }

    @Test func anUnknownKeyIsRefusedPermanently() async throws {
        try await SSHDFixture.with { sshd in
            _ = try await sshd.foreignKnownHosts()
            var stranger = sshd.endpoint
            stranger.identityFile = sshd.directory.file("foreign_ed25519")
            let ssh = SSHTransport(.init(configFile: "/dev/null", connectTimeout: 20))
            do {
                _ = try await ssh.run(["true"], on: stranger, stdin: nil, timeout: 20)
                Issue.record("expected an authentication failure")
            } catch let failure as CommandFailure {
                #expect(failure.reason == .sshAuthentication)
                #expect(failure.disposition == .permanent)
            }
            await ssh.close()
        }
    }

    @Test func refusesPlanOptionsThatWeakenSafety() async throws {
        var host = HostEndpoint(name: "h", address: "127.0.0.1", connect: .ssh, sshOptions: ["StrictHostKeyChecking=no"])
        let ssh = SSHTransport()
        await #expect(throws: CommandFailure.self) { _ = try await ssh.run(["true"], on: host, stdin: nil, timeout: 5) }
        host.sshOptions = []
        host.address = "-oProxyCommand=touch /tmp/x"
        await #expect(throws: CommandFailure.self) { _ = try await ssh.run(["true"], on: host, stdin: nil, timeout: 5) }
    }
}
