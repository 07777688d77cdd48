import CommandDriver
import Foundation
import MailshiftTestSupport
import Steps
import Testing

/// No child mailshift starts (a command, a service left running, an ssh master) inherits the
/// variable that holds the bind password.
@Suite struct ChildEnvironmentTests {
    let host = HostEndpoint(name: "here", address: "localhost", connect: .local)

    /// A variable this process already has, standing for the secret one. Not one set here:
    /// setenv while other tests spawn children would race with their reading of `environ`.
    func secretVariable() throws -> String {
        let names = ProcessInfo.processInfo.environment.keys.filter { $0 != "PATH" && !$0.isEmpty }.sorted()
        return try #require(names.first { $0 == "HOME" } ?? names.first)
    }

    /// The variable names in `env`-style output (`NAME=value` lines or NUL-separated entries).
    func names(_ text: String) -> Set<String> {
        Set(text.split { $0 == "\n" || $0 == "\0" }.map { String($0.prefix { $0 != "=" }) })
    }

    @Test func aCommandDoesNotSeeTheSecretVariableButSeesTheRest() async throws {
        let name = try secretVariable()
        let withheld = LocalTransport(environment: ChildEnvironment(withholding: [name]))
        let out = String(decoding: try await withheld.run(["/usr/bin/env"], on: host, stdin: nil, timeout: 10).stdout, as: UTF8.self)
        #expect(!names(out).contains(name))
        #expect(names(out).contains("PATH"))
        // The same child without withholding does see it: the check above can fail.
        let inherited = String(decoding: try await LocalTransport().run(["/usr/bin/env"], on: host, stdin: nil, timeout: 10).stdout,
            as: UTF8.self)
        #expect(names(inherited).contains(name))
    }

    @Test func aServiceLeftRunningDoesNotHoldTheSecret() async throws {
        let name = try secretVariable()
        let transport = LocalTransport(environment: ChildEnvironment(withholding: [name]))
        // A daemon the step starts and leaves behind, as `service.start` does. (Under a loaded
        // parallel test run another test's stale kill can hit a reused process group: try again.)
        var found: (pid: Int32, environ: Data)?
        for _ in 0..<3 where found == nil {
            let out = try await transport.run(["/bin/sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"], on: host, stdin: nil, timeout: 10)
            let pid = try #require(Int32(String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            if let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") { found = (pid, environ) }
        }
        let (pid, environ) = try #require(found)
        defer { kill(pid, SIGKILL) }
        let variables = names(String(decoding: environ, as: UTF8.self))
        #expect(variables.contains("PATH"))
        #expect(!variables.contains(name))
    }

    @Test func anSSHMasterConnectionDoesNotHoldTheSecret() async throws {
        let name = try secretVariable()
        try await SSHDFixture.with { sshd in
            let ssh = SSHTransport(.init(configFile: sshd.clientConfig, connectTimeout: 20,
                environment: ChildEnvironment(withholding: [name])))
            let remote = try await ssh.run(["true"], on: sshd.endpoint, stdin: nil, timeout: 20)
            #expect(remote.status == 0)
            // The master (`ssh -M -N -f`, left running for later commands) is found by its config file.
            let masters = Self.processes { $0.contains("ControlMaster=yes") && $0.contains(sshd.clientConfig) }
            #expect(!masters.isEmpty)
            for pid in masters {
                let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data()
                let found = names(String(decoding: environ, as: UTF8.self))
                #expect(found.contains("PATH"))
                #expect(!found.contains(name))
            }
            await ssh.close()
        }
    }

    /// Pids whose command line (arguments joined by spaces) satisfies `matches`.
    static func processes(_ matches: (String) -> Bool) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            return matches(line) ? pid : nil
        }
    }
}
