import ArgumentParser
import CommandDriver
import Foundation
import Lab
import Steps

/// `mailshift-bench ssh`: many short remote commands through one multiplexed ssh connection versus
/// one fresh ssh connection per command, against a private loopback sshd (the same `SSHDInstance`
/// the tests use).
///
/// The fresh path is measured on a sample and extrapolated linearly (each fresh command pays the
/// same TCP + key exchange + authentication), which the output says.
struct SSHBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "Remote `true` commands: multiplexed ssh vs one fresh ssh per command.")

    @Option(help: "Commands through the multiplexed connection.") var commands = 10_000
    @Option(help: "Fresh-connection commands actually run (extrapolated to --commands).") var freshSample = 500
    @Option(help: "Concurrent commands (the multiplexed run; also a concurrent fresh sample).") var concurrency = 8

    func run() async throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mailshift-bench-ssh-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sshd = try SSHDInstance.start(in: dir, maxLifetime: 3600)
        defer { sshd.stop() }
        let host = sshd.endpoint
        print("sshd: OpenSSH on 127.0.0.1:\(sshd.port), \(ProcessInfo.processInfo.activeProcessorCount) cores")

        let mux = SSHTransport(.init(configFile: sshd.clientConfig, multiplex: true, sessionsPerHost: concurrency))
        let fresh = SSHTransport(.init(configFile: sshd.clientConfig, multiplex: false))
        _ = try await mux.run(["true"], on: host, stdin: nil, timeout: 30)  // starts the master

        let muxSeconds = try await Self.time(commands, concurrency: concurrency, mux, host)
        let muxSequential = try await Self.time(min(commands, 1000), concurrency: 1, mux, host)
        await mux.close()
        let freshSequential = try await Self.time(freshSample, concurrency: 1, fresh, host)
        let freshConcurrent = try await Self.time(freshSample, concurrency: concurrency, fresh, host)
        await fresh.close()

        let scale = Double(commands) / Double(freshSample)
        let freshSeqTotal = freshSequential * scale
        let freshConTotal = freshConcurrent * scale
        func line(_ label: String, _ n: Int, _ s: Double, _ note: String = "") {
            print(String(format: "%@ %6d cmds  %8.2f s  %7.2f ms/cmd  %8.0f cmds/s%@", label.padding(toLength: 42, withPad: " ", startingAt: 0), n, s, s / Double(n) * 1000, Double(n) / s, note))
        }
        line("multiplexed, concurrency \(concurrency)", commands, muxSeconds)
        line("multiplexed, sequential", min(commands, 1000), muxSequential)
        line("fresh ssh per command, sequential", freshSample, freshSequential, "  (sample)")
        line("fresh ssh per command, concurrency \(concurrency)", freshSample, freshConcurrent, "  (sample)")
        print(String(format: "fresh, extrapolated to %d cmds: sequential %.1f s, concurrency %d %.1f s", commands, freshSeqTotal, concurrency, freshConTotal))
        print(String(format: "speed-up at %d cmds: %.1fx vs fresh sequential, %.1fx vs fresh at the same concurrency (target >= 10x)", commands, freshSeqTotal / muxSeconds, freshConTotal / muxSeconds))
        BenchResult(name: "ssh: \(commands) remote commands, multiplexed, concurrency \(concurrency)", value: muxSeconds, unit: "s",
            baseline: freshSeqTotal, peer: "fresh ssh per command, sequential (extrapolated from \(freshSample))",
            ratio: freshSeqTotal / muxSeconds, target: "≥ 10× (speed-up)", met: freshSeqTotal / muxSeconds >= 10).emit()
    }

    /// Seconds to run `n` remote `true`s with at most `concurrency` in flight; all must exit 0.
    static func time(_ n: Int, concurrency: Int, _ transport: SSHTransport, _ host: HostEndpoint) async throws -> Double {
        let start = Date()
        try await withThrowingTaskGroup(of: Int32.self) { group in
            var launched = 0
            func launch() {
                group.addTask { try await transport.run(["true"], on: host, stdin: nil, timeout: 60).status }
                launched += 1
            }
            while launched < min(concurrency, n) { launch() }
            while let status = try await group.next() {
                guard status == 0 else { throw ValidationError("a remote `true` exited \(status)") }
                if launched < n { launch() }
            }
        }
        return Date().timeIntervalSince(start)
    }
}
