import Foundation
import Glibc
import Lab
import MailboxDriver
import MailshiftTestSupport
import Testing

/// A real consumer reads what we wrote: Dovecot's `doveadm`, with no dovecot service running
/// (empty config, mail_location and privileges given with -o, user from USER/HOME, indexes in
/// memory), must see every message with its flags, date (INTERNALDATE = mtime) and size.
@Suite struct DovecotReadsMaildirTests {
    static let doveadm = "/usr/bin/doveadm"

    @Test(arguments: MboxCorpus.Variant.allCases)
    func doveadmSeesSameMessagesFlagsAndDates(_ v: MboxCorpus.Variant) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.doveadm), "dovecot-core is installed by scripts/install-deps")
        let dir = try TemporaryDirectory(prefix: "dovecot")
        defer { dir.remove() }
        let mbox = dir.file("mbox")
        let manifest = try MboxCorpus.write(to: mbox, options: .init(seed: 42, messages: 70, variant: v, folderInternalData: v == .solaris))
        let maildir = dir.file("Maildir")
        _ = try MboxImport.run(file: mbox, maildir: maildir, options: .init(variant: .auto, ifAmbiguous: .mboxo))
        // doveadm refuses root: read as an unprivileged uid that owns the copy.
        let uid: uid_t = geteuid() == 0 ? 65534 : geteuid()
        let gid: gid_t = geteuid() == 0 ? 65534 : getegid()
        if geteuid() == 0 {
            chown(dir.path, uid, gid)
            for p in [maildir, maildir + "/new", maildir + "/cur", maildir + "/tmp"] + MaildirIndex.files(maildir) { chown(p, uid, gid) }
        }
        let conf = dir.file("dovecot.conf")
        _ = FileManager.default.createFile(atPath: conf, contents: Data())
        let out = dir.file("fetch.tsv")
        let argv = [
            Self.doveadm, "-c", conf, "-o", "mail_location=maildir:\(maildir):INDEX=MEMORY", "-o", "mail_uid=\(uid)",
            "-o", "mail_gid=\(gid)", "-o", "first_valid_uid=1", "-o", "first_valid_gid=1",
            "-f", "tab", "fetch", "flags date.received.unixtime size.physical", "ALL",
        ]
        let status = try runWithEnvironment(argv, env: ["USER=nobody", "HOME=\(dir.path)"], stdout: out)
        #expect(status == 0)
        let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst()
        struct Row: Hashable { var flags: Set<String>; var date: Int; var size: Int }
        let imap = ["S": "\\Seen", "R": "\\Answered", "F": "\\Flagged", "T": "\\Deleted", "D": "\\Draft"]
        let got = rows.map { r -> Row in
            let f = r.split(separator: "\t", omittingEmptySubsequences: false)
            let flags = Set(f[0].split(separator: " ").map(String.init)).subtracting(["\\Recent"])
            return Row(flags: flags, date: Int(f[1]) ?? -1, size: Int(f[2]) ?? -1)
        }
        let want = manifest.messages.map { m in
            Row(flags: Set(m.flags.map { imap[String($0)]! }), date: m.date, size: m.storedBytes)
        }
        #expect(got.count == want.count, "doveadm counted \(got.count), manifest has \(want.count)")
        #expect(Dictionary(got.map { ($0, 1) }, uniquingKeysWith: +) == Dictionary(want.map { ($0, 1) }, uniquingKeysWith: +))
    }

    /// posix_spawn with an explicit environment (doveadm takes the user from USER/HOME).
    func runWithEnvironment(_ argv: [String], env: [String], stdout: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var pid: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        let cenv = (env + ["PATH=/usr/bin:/bin"]).map { strdup($0) } + [nil]
        defer { (cargs + cenv).forEach { free($0) } }
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cargs, cenv)
        guard rc == 0 else { return -1 }
        return ChildProcess.wait(pid).status
    }
}
