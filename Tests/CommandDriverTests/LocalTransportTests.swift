import CommandDriver
import Foundation
import MailshiftTestSupport
import Steps
import Testing

@Suite struct LocalTransportTests {
    let host = HostEndpoint(name: "here", address: "localhost", connect: .local)

    @Test func runsArgvWithoutAShell() async throws {
        let dir = try TemporaryDirectory(prefix: "local")
        defer { dir.remove() }
        let canary = dir.file("canary")
        let out = try await LocalTransport().run(["echo", "$(touch \(canary))", ";", "`id`"], on: host, stdin: nil, timeout: 10)
        #expect(out.status == 0)
        #expect(String(decoding: out.stdout, as: UTF8.self) == "$(touch \(canary)) ; `id`\n")
        #expect(!FileManager.default.fileExists(atPath: canary))
    }

    @Test func feedsStdinAndKeepsExitStatusAndStderr() async throws {
        let input = Data((0..<200_000).map { UInt8($0 % 251) })
        let out = try await LocalTransport().run(["sh", "-c", "cat; echo oops >&2; exit 3"], on: host, stdin: input, timeout: 10)
        #expect(out.status == 3)
        #expect(out.stdout == input.suffix(64 * 1024))
        #expect(String(decoding: out.stderr, as: UTF8.self) == "oops\n")
    }

    @Test func keepsOnlyTheTailOfLargeOutput() async throws {
        let out = try await LocalTransport(captureLimit: 1000).run(
            ["sh", "-c", "seq 1 100000"], on: host, stdin: nil, timeout: 10)
        #expect(out.stdout.count == 1000)
        #expect(String(decoding: out.stdout, as: UTF8.self).hasSuffix("99999\n100000\n"))
    }

    @Test func killsACommandAtItsTimeout() async throws {
        let dir = try TemporaryDirectory(prefix: "local")
        defer { dir.remove() }
        let pidFile = dir.file("pid")
        do {
            _ = try await LocalTransport().run(
                ["sh", "-c", "echo $$ > \"$0\"; exec sleep 30", pidFile], on: host, stdin: nil, timeout: 0.5)
            Issue.record("expected a timeout")
        } catch let failure as CommandFailure {
            #expect(failure.reason == .timedOut(seconds: 0.5))
            #expect(failure.disposition == .transient)
        }
        // The command was killed and reaped: its pid runs no `sleep 30` any more. (Not "the pid
        // is unused": with pid_max 32768 and a loaded test run, another process may get it
        // before this line runs.)
        let pid = Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(pid > 0)
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        #expect(cmdline != Data("sleep\u{0}30\u{0}".utf8), "the timed-out command is still running")
    }

    @Test func doesNotWaitForADaemonThatKeepsThePipesOpen() async throws {
        // The child exits at once but leaves a background process holding stdout; waiting for
        // the pipes to close would hit the timeout (15 s) before the daemon ends (20 s).
        let out = try await LocalTransport().run(["sh", "-c", "sleep 20 & echo started"], on: host, stdin: nil, timeout: 15)
        #expect(out.status == 0)
        #expect(String(decoding: out.stdout, as: UTF8.self) == "started\n")
    }

    @Test func aMissingProgramIsAPermanentFailure() async throws {
        do {
            _ = try await LocalTransport().run(["/nonexistent/mailshift-nothing"], on: host, stdin: nil, timeout: 5)
            Issue.record("expected a failure")
        } catch let failure as CommandFailure {
            #expect(failure.disposition == .permanent)
            #expect(failure.summary.contains("cannot start"))
        }
    }
}
