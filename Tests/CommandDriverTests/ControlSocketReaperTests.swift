@testable import CommandDriver
import Foundation
import MailshiftTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A killed run leaves its socket directory, and its ssh master lives on for ControlPersist: the
/// next run stops the master and removes the directory, naming it; a live run's is left alone.
@Suite struct ControlSocketReaperTests {
    @Test func aDeadRunsMasterIsStoppedAndItsDirectoryRemoved() async throws {
        try await SSHDFixture.with { sshd in
            let parent = try TemporaryDirectory(prefix: "reap")
            defer { parent.remove() }
            let dead = parent.file("mailshift-ssh-dead01")
            let live = parent.file("mailshift-ssh-live01")
            for dir in [dead, live] { #expect(mkdir(dir, 0o700) == 0) }
            // The dead run: a pid that has exited.
            let gone = Process()
            gone.executableURL = URL(fileURLWithPath: "/bin/true")
            try gone.run()
            gone.waitUntilExit()
            try "\(gone.processIdentifier) 1\n".write(toFile: "\(dead)/holder", atomically: false, encoding: .utf8)
            try ControlSocketReaper.holderRecord().write(toFile: "\(live)/holder", atomically: false, encoding: .utf8)

            // A real master the dead run left running (ControlPersist keeps it up).
            let socket = "\(dead)/c0"
            let options = SSHOptions(configFile: sshd.clientConfig, connectTimeout: 10)
            let start = options.common(for: sshd.endpoint)
                + ["-o", "ControlMaster=yes", "-o", "ControlPath=\(socket)", "-o", "ControlPersist=600", "-N", "-f", "--", sshd.endpoint.address]
            let started = ChildProcess(argv: start, stdin: nil, timeout: 30, captureLimit: 4096).runBlocking()
            guard case .success(let r) = started, r.status == 0 else {
                Issue.record("the master did not start: \(started)")
                return
            }
            #expect(Self.masterAlive(socket, sshd.clientConfig))

            let lines = ControlSocketReaper.reap(parent: parent.path, sshConfigFile: sshd.clientConfig)
            #expect(lines.count == 1, "\(lines)")
            #expect(lines.first?.contains(dead) == true && lines.first?.contains("stopped the ssh master on c0") == true, "\(lines)")
            #expect(!FileManager.default.fileExists(atPath: dead))
            #expect(FileManager.default.fileExists(atPath: live), "a live run's directory is left alone")
            #expect(Self.masterProcesses(socket).isEmpty, "no master process left")
        }
    }

    static func masterAlive(_ socket: String, _ config: String) -> Bool {
        let check = ChildProcess(argv: ["ssh", "-F", config, "-o", "ControlPath=\(socket)", "-O", "check", "x"], stdin: nil, timeout: 10, captureLimit: 4096)
        if case .success(let r) = check.runBlocking() { return r.status == 0 }
        return false
    }

    /// ssh processes whose command line names `socket` (a master's does, `-o ControlPath=…`).
    static func masterProcesses(_ socket: String) -> [String] {
        let deadline = Date().addingTimeInterval(5)
        var found: [String] = []
        repeat {
            found = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int($0) != nil }.compactMap { pid in
                guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
                let line = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
                return line.hasPrefix("ssh") && line.contains(socket) ? line : nil
            }
            if found.isEmpty { break }
            usleep(50_000)
        } while Date() < deadline
        return found
    }
}
