import Foundation
import Glibc
import Lab
import Testing

/// A lab plan whose hosts are `connect: ssh` to a private loopback sshd, run end to end by the
/// real binary: the controller reaches every host through the system ssh client (host keys
/// verified), and the mailbox steps run the remote agent (`mailshift` on the session's PATH).
@Suite(.labThreads) struct SSHEndToEndTests {
    @Test(arguments: ["simple", "proxy"])
    func aPlanOverSSHMigratesEveryUser(strategy: String) throws {
        let exe = try #require(LabRun.mailshift, "build the mailshift product first (swift build)")
        let lab = try LabRun.up(users: 8, messages: 2, seed: 21)
        defer { lab.down() }
        let sshd = try LoopbackSSHD(agentDirectory: URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        defer { sshd.stop() }

        // A known_hosts naming this server with another key: the dry-run cannot inspect any step
        // on the hosts (it reports them, changes nothing, and exits 2).
        let localPlan = try String(contentsOfFile: lab.plan(strategy), encoding: .utf8)
        try sshd.sshPlan(localPlan, knownHosts: sshd.foreignKnownHosts()).write(toFile: lab.plan(strategy), atomically: true, encoding: .utf8)
        let refused = try lab.mailshift(["run", lab.plan(strategy), "--dry-run"])
        #expect(refused.output.contains("cannot inspect: host legacy: ssh host key verification failed"), "\(refused.output)")
        #expect(refused.status == 2, "a preview that could not inspect its steps exits 2 (steps failed)")

        // With the server's key the same plan runs to the end. The hosts keep their lab names
        // (which do not resolve); only ssh's `HostName` reaches them, and the mailbox steps find
        // the agent only on the sshd session's PATH.
        try sshd.sshPlan(localPlan, knownHosts: sshd.knownHosts()).write(toFile: lab.plan(strategy), atomically: true, encoding: .utf8)
        let check = try lab.mailshift(["check", lab.plan(strategy)])
        #expect(check.status == 0, "\(check.output)")
        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("directory: 8/8 users"), "\(verify.output)")
        #expect(verify.output.contains("lab verify: OK"), "\(verify.output)")
    }
}

extension SSHEndToEndTests {
    /// Preflight reads ssh hosts as it reads this machine: the agent's version, homes, each
    /// mailbox's variant where it lives, the store's free space.
    @Test func preflightChecksTheSSHHosts() throws {
        let exe = try #require(LabRun.mailshift, "build the mailshift product first (swift build)")
        let lab = try LabRun.up(users: 6, messages: 2, seed: 23)
        defer { lab.down() }
        let sshd = try LoopbackSSHD(agentDirectory: URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        defer { sshd.stop() }
        var plan = try sshd.sshPlan(try String(contentsOfFile: lab.plan("forward"), encoding: .utf8), knownHosts: sshd.knownHosts())
        let pinned = "  if_ambiguous: mboxo      # the lab's MDA writes mboxo; its mboxrd files show `>>From `\n"
        #expect(plan.contains(pinned), "the lab plan changed")
        plan = plan.replacingOccurrences(of: pinned, with: "")
        try plan.write(toFile: lab.plan("forward"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: lab.paths.homes + "/user002")

        let r = try lab.mailshift(["preflight", lab.plan("forward")])
        #expect(r.status == 2, "\(r.output)")
        for expected in [
            "✓ agent.versions", "✗ forward.homes.remote", "user002: ", "does not exist",
            "✗ mailbox.variants.remote", "ambiguous (read as mboxo)", "if_ambiguous", "✓ store.space.remote", "MiB free for",
        ] {
            #expect(r.output.contains(expected), "missing \(expected) in\n\(r.output)")
        }
        #expect(!r.output.contains("not checked"), "\(r.output)")
    }
}

/// A loopback sshd for one test whose sessions find the built `mailshift` on their PATH.
private struct LoopbackSSHD {
    let directory: String
    let instance: SSHDInstance

    init(agentDirectory: String) throws {
        directory = NSTemporaryDirectory() + "mailshift-e2e-sshd-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            instance = try SSHDInstance.start(
                in: directory, maxLifetime: 1800, environment: ["PATH": agentDirectory + ":/usr/bin:/bin"])
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    func stop() {
        instance.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The lab plans' host names: the plan keeps them (the directory's `mailHost` comes from the
    /// store's address); ssh reaches them at 127.0.0.1 through `HostName`.
    static let labHosts = ["oldmail.lab.test", "newstore.lab.test"]

    /// A known_hosts file naming this server (ssh checks the key of the `HostName` it connects to).
    func knownHosts() throws -> String {
        try knownHosts(publicKey: instance.directory + "/host_ed25519.pub", file: "lab_known_hosts")
    }

    /// A known_hosts file naming this server with a key it does not have.
    func foreignKnownHosts() throws -> String {
        let key = directory + "/foreign_ed25519"
        try SSHKeygen.make(at: key)
        return try knownHosts(publicKey: key + ".pub", file: "foreign_known_hosts")
    }

    private func knownHosts(publicKey: String, file: String) throws -> String {
        let pub = try String(contentsOfFile: publicKey, encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let path = directory + "/" + file
        try "[127.0.0.1]:\(instance.port) \(pub)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The lab plan `text` with every host reached over ssh at this server (`connect: ssh`, its
    /// port, user, key, and `knownHosts` for host key verification).
    func sshPlan(_ text: String, knownHosts: String) throws -> String {
        let ssh = """
            connect: ssh, user: "\(instance.user)", port: \(instance.port), \
            identity_file: "\(instance.clientKey)", ssh_options: ["HostName=127.0.0.1", "UserKnownHostsFile=\(knownHosts)", \
            "GlobalKnownHostsFile=/dev/null", "IdentitiesOnly=yes"],
            """
        var hosts = 0
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let address = line.range(of: #"connect: local,"#, options: .regularExpression) else {
                return String(line)
            }
            hosts += 1
            return line.replacingCharacters(in: address, with: ssh)
        }
        guard hosts == Self.labHosts.count else { throw LabError("expected \(Self.labHosts.count) hosts, rewrote \(hosts)") }
        return lines.joined(separator: "\n")
    }
}
