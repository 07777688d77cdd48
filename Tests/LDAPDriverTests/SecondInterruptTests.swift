import Foundation
import Lab
import MailshiftTestSupport
import Testing

/// The first SIGINT stops launching and lets running steps finish; the second cancels them: a
/// running command's process group is killed and the run exits 4 (resumable) promptly, instead
/// of waiting for the command's own timeout.
@Suite struct SecondInterruptTests {
    // Synchronous on purpose: its waits are sleeps of this thread, so a cooperative pool busy
    // with other suites cannot stretch 300 ms into minutes (past the command's own timeout).
    @Test func theSecondInterruptKillsARunningCommand() throws {
        let binary = try #require(BuiltMailshift.path, "build the mailshift product first")
        let slapd = try SlapdFixture(users: ["ann"].map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        let pidFile = slapd.temp.file("sleeper.pid")
        // The legacy MTA's stop command never finishes by itself.
        let stop = "[/bin/sh, -c, 'echo $$ > \(pidFile); exec sleep 300']"
        let plan = try UsersFromRunTests.writePlan(slapd, legacyStop: stop, approve: false)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", plan, "--state", slapd.temp.file("state")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var sleeper: pid_t = 0
        for _ in 0..<200 where sleeper == 0 {
            usleep(50_000)
            sleeper = pid_t((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        #expect(sleeper > 0, "the stop command started")
        kill(process.processIdentifier, SIGINT)
        usleep(300_000)
        #expect(process.isRunning, "the first interrupt waits for the running step")
        #expect(kill(sleeper, 0) == 0, "and leaves its command running")
        let second = Date()
        kill(process.processIdentifier, SIGINT)
        while process.isRunning && Date().timeIntervalSince(second) < 20 { usleep(50_000) }
        #expect(!process.isRunning, "the second interrupt ends the run")
        #expect(Date().timeIntervalSince(second) < 10)
        #expect(process.terminationStatus == 4, "interrupted, resumable")
        #expect(kill(sleeper, 0) != 0, "the running command was killed")
    }
}

/// The commands and services a run starts begin with default signal handling, whatever the run
/// does with SIGINT/SIGTERM (it traps them): a service it leaves running must stop on SIGTERM.
@Suite struct ChildSignalTests {
    @Test func commandsStartWithDefaultSignalHandling() async throws {
        let binary = try #require(BuiltMailshift.path, "build the mailshift product first")
        let slapd = try SlapdFixture(users: ["ann"].map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        let report = slapd.temp.file("sigign")
        let plan = try UsersFromRunTests.writePlan(
            slapd, legacyStop: "[/bin/sh, -c, 'grep SigIgn /proc/self/status > \(report)']", approve: false)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", plan, "--state", slapd.temp.file("state")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let line = try String(contentsOfFile: report, encoding: .utf8)
        let mask = try #require(UInt64(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", radix: 16))
        for signal in [SIGINT, SIGTERM, SIGHUP] { #expect(mask & (1 << UInt64(signal - 1)) == 0, "signal \(signal) ignored in a child") }
    }
}
