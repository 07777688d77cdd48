import Foundation
import Glibc
import Lab
import Testing

/// `mailshift lab up --hosts separate`: the lab's legacy and store hosts are two sshd "machines"
/// with no shared disk, and every lab plan reaches them over ssh; each plan runs end to end by the
/// real binary. The legacy sshd's sessions see a private empty tmpfs where the store lives, and
/// the store sshd's sessions one where the spool and saved mail live: a Maildir the legacy host
/// wrote would stay in its tmpfs, and the store host cannot read the spool. `lab verify` (run
/// here, seeing the real store directory) passes only if the store host wrote every Maildir, and
/// it asks each host over ssh for files on the wrong side (there must be none).
/// Verified to fail with the two-host path disabled: the run then "completes" with the Maildirs
/// on the legacy host, as issue 12 describes.
@Suite(.labThreads) struct TwoHostEndToEndTests {
    static func separateLab() throws -> LabRun {
        try LabRun.up(users: 6, messages: 3, seed: 33, extra: ["--hosts", "separate"])
    }

    @Test(arguments: ["simple", "forward", "choke", "proxy"])
    func aPlanOverTwoHostsWithNoSharedDiskMigratesEveryUser(strategy: String) throws {
        let lab = try Self.separateLab()
        defer { lab.down() }
        let plan = try String(contentsOfFile: lab.plan(strategy), encoding: .utf8)
        #expect(!plan.contains("connect: local"), "both hosts are reached over ssh")

        let run = try lab.runApproving(strategy)
        #expect(run.status == 0, "\(run.output)")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("hosts: separate; nothing written on the wrong side"), "\(verify.output)")
        #expect(verify.output.contains("lab verify: OK"), "\(verify.output)")
    }

    /// `store.kind: command` with the site's import tool on the store host (here `mailshift mbox
    /// import` into the lab's Maildirs, standing in for imsimport or doveadm): it runs there on a
    /// relayed copy of each legacy mailbox.
    @Test func aCommandStoreImportsOnTheStoreHost() throws {
        let exe = try #require(LabRun.mailshift)
        let lab = try Self.separateLab()
        defer { lab.down() }
        let maildir = lab.paths.storeRoot + "/{user}/Maildir"
        let section = "store:\n  kind: maildir\n  path: \"\(maildir)\"\n"
        let command = """
            store:
              kind: command
              import: ["\(exe)", mbox, import, "{mbox}", --maildir, "\(maildir)", --if-ambiguous, mboxo]
              count: [sh, -c, "find \\"$1/new\\" \\"$1/cur\\" -type f 2>/dev/null | wc -l", sh, "\(maildir)"]

            """
        var plan = try String(contentsOfFile: lab.plan("simple"), encoding: .utf8)
        try #require(plan.contains(section))
        plan = plan.replacingOccurrences(of: section, with: command).replacingOccurrences(of: "verify: digest", with: "verify: count")
        try plan.write(toFile: lab.plan("simple"), atomically: true, encoding: .utf8)

        let run = try lab.runApproving("simple")
        #expect(run.status == 0, "\(run.output)")
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "simple"])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("hosts: separate; nothing written on the wrong side"), "\(verify.output)")
    }

    /// A write on the wrong host where only the legacy host's data lives (here a `.forward` in a
    /// home, made on the store host) lands in that host's private copy, and `lab verify` names it.
    @Test func aHomeFileWrittenOnTheStoreHostIsNamed() throws {
        let lab = try Self.separateLab()
        defer { lab.down() }
        let dir = lab.paths.run + "/store-sshd"
        let port = try String(contentsOfFile: dir + "/sshd_config", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("Port ") }.map { String($0.dropFirst(5)) } ?? ""
        let forward = lab.paths.homes + "/" + (try lab.config.users[0]) + "/.forward"
        let ssh = Process()
        ssh.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
        ssh.arguments = ["-F", dir + "/ssh_config", "-p", port, "-o", "BatchMode=yes", "127.0.0.1", "mkdir -p '\(forward.dropLast(9))' && echo x > '\(forward)'"]
        try ssh.run()
        ssh.waitUntilExit()
        try #require(ssh.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: forward), "the store host's write stayed on the store host")
        #expect(try LabSeparateHosts.wrongSideFiles(lab.paths) == ["store: \(forward)"])
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "simple"])
        #expect(verify.output.contains("written on the wrong side: store: \(forward)"), "\(verify.output)")
    }
}
