import Foundation
import Glibc
import Lab
import Testing

/// A lab plan whose legacy and store hosts are two sshd "machines" with no shared disk, run end to
/// end by the real binary. The legacy sshd's sessions see a private empty tmpfs where the store
/// lives, and the store sshd's sessions one where the spool and saved mail live: a Maildir the
/// legacy host wrote would vanish with it, and the store host cannot read the spool. `lab verify`
/// (run here, seeing the real store directory) passes only if the store host wrote every Maildir.
/// Verified to fail with the two-host path disabled: the run then "completes" with the Maildirs
/// on the legacy host, as issue 12 describes.
@Suite struct TwoHostEndToEndTests {
    @Test(arguments: ["simple", "forward", "choke", "proxy"])
    func aPlanOverTwoHostsWithNoSharedDiskMigratesEveryUser(strategy: String) throws {
        let exe = try #require(LabRun.mailshift, "build the mailshift product first (swift build)")
        let lab = try LabRun.up(users: 6, messages: 3, seed: 33)
        defer { lab.down() }
        let agentPath = URL(fileURLWithPath: exe).deletingLastPathComponent().path + ":/usr/bin:/bin"
        let legacy = try PrivateDiskSSHD(agentPath: agentPath, privateMounts: [lab.paths.storeRoot])
        defer { legacy.stop() }
        let store = try PrivateDiskSSHD(agentPath: agentPath, privateMounts: [lab.paths.spool, lab.paths.saved])
        defer { store.stop() }

        let text = try String(contentsOfFile: lab.plan(strategy), encoding: .utf8)
        var rewritten = 0
        let plan = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let server = line.hasPrefix("  legacy:") ? legacy : line.hasPrefix("  store:") ? store : nil
            guard let server, let local = line.range(of: "connect: local,") else { return String(line) }
            rewritten += 1
            return line.replacingCharacters(in: local, with: server.connect)
        }.joined(separator: "\n")
        #expect(rewritten == 2)
        try plan.write(toFile: lab.plan(strategy), atomically: true, encoding: .utf8)

        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("lab verify: OK"), "\(verify.output)")
    }
}

/// A loopback sshd whose sessions find the built `mailshift` on their PATH and see a private
/// tmpfs on each of `privateMounts`.
private struct PrivateDiskSSHD {
    let directory: String
    let instance: SSHDInstance

    init(agentPath: String, privateMounts: [String]) throws {
        directory = NSTemporaryDirectory() + "mailshift-e2e-sshd-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for dir in privateMounts { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        do {
            instance = try SSHDInstance.start(in: directory, maxLifetime: 300, environment: ["PATH": agentPath], privateMounts: privateMounts)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    func stop() {
        instance.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The plan's host fields that reach this server (its lab name kept; ssh's `HostName` reaches it).
    var connect: String {
        """
        connect: ssh, user: "\(instance.user)", port: \(instance.port), \
        identity_file: "\(instance.clientKey)", ssh_options: ["HostName=127.0.0.1", "UserKnownHostsFile=\(instance.knownHosts)", \
        "GlobalKnownHostsFile=/dev/null", "IdentitiesOnly=yes"],
        """
    }
}
