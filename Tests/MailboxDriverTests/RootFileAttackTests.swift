import CommandDriver
import Digest
import Foundation
import Glibc
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// Attacks by a real unprivileged user on a root-run import: links planted on the Maildir, its
/// subdirectories and the spool mailbox, another user's Maildir as the target. Each must fail
/// with a clear refusal, write nothing through the link, and leave root's files as they were.
@Suite(.enabled(if: SystemUser.available, "needs root to create users and act as them"))
struct RootFileAttackTests {
    @Test func aMaildirLinkedToARootDirectoryIsRefused() async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.home(s.alice) + "/Maildir"
        try s.alice.act(#"ln -s "$1" "$2""#, s.target.directory, maildir)
        await expectRefusal(maildir, "symbolic link") { try s.importAlice(into: maildir, owner: s.owner(s.alice)) }
        try s.expectTargetUntouched()
    }

    @Test(arguments: ["tmp", "new", "cur"])
    func aMaildirSubdirectoryLinkedToARootDirectoryIsRefused(_ sub: String) async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.home(s.alice) + "/Maildir"
        try s.alice.act(#"mkdir -p "$1/tmp" "$1/new" "$1/cur" && rmdir "$1/$2" && ln -s "$3" "$1/$2""#, maildir, sub, s.target.directory)
        for staging in [MaildirWriter.Staging.automatic, .temporaryFiles] {
            await expectRefusal("\(maildir)/\(sub)", "symbolic link") {
                try s.importAlice(into: maildir, owner: s.owner(s.alice), staging: staging)
            }
        }
        try s.expectTargetUntouched()
    }

    @Test func withoutAStoreOwnerNothingIsLinkedThroughNew() async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.home(s.alice) + "/Maildir"
        try s.alice.act(#"mkdir -p "$1/tmp" "$1/cur" && ln -s "$2" "$1/new""#, maildir, s.target.directory)
        await expectRefusal(maildir) { try s.importAlice(into: maildir, owner: nil) }
        try s.expectTargetUntouched()
    }

    @Test func aRaceBetweenMkdirAndChownGainsNothing() async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.home(s.alice) + "/Maildir"
        // Whenever root's new Maildir appears, alice swaps it for a link to root's directory.
        let attacker = try s.alice.actInBackground(
            #"while :; do rmdir "$1/tmp" "$1/new" "$1/cur" "$1" 2>/dev/null && ln -s "$2" "$1"; done"#, maildir, s.target.directory)
        defer {
            attacker.terminate()
            attacker.waitUntilExit()
        }
        let until = Date().addingTimeInterval(2)
        var attempts = 0
        while Date() < until {
            attempts += 1
            _ = try? s.importAlice(into: maildir, owner: s.owner(s.alice))
            // Start again from nothing: root removes a link or its own leftovers.
            var st = stat()
            if lstat(maildir, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFLNK { unlink(maildir) } else { try? FileManager.default.removeItem(atPath: maildir) }
            }
        }
        #expect(attempts > 10)
        try s.expectTargetUntouched()
    }

    @Test func anotherUsersMaildirIsNeverTheTarget() async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let bobs = s.home(s.bob) + "/Maildir"
        try s.bob.act(#"mkdir -p "$1/tmp" "$1/new" "$1/cur" && chmod 700 "$1""#, bobs)
        // Through a link in alice's home, and named directly (a plan whose path resolves there).
        let linked = s.home(s.alice) + "/Maildir"
        try s.alice.act(#"ln -s "$1" "$2""#, bobs, linked)
        await expectRefusal(linked, "symbolic link") { try s.importAlice(into: linked, owner: s.owner(s.alice)) }
        await expectRefusal(bobs, "owned by uid \(s.bob.uid)") { try s.importAlice(into: bobs, owner: s.owner(s.alice)) }
        var st = stat()
        #expect(lstat(bobs, &st) == 0 && st.st_uid == s.bob.uid && st.st_mode & 0o777 == 0o700)
        #expect(AttackScene.messages(in: bobs).isEmpty)
    }

    @Test func aSpoolMailboxLinkedToAnotherMailboxIsNotImported() async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.home(s.alice) + "/Maildir"
        try s.alice.act(#"rm -f "$1" && ln -s "$2" "$1""#, s.mailbox(s.alice), s.mailbox(s.bob))
        for lock in [false, true] {
            await expectRefusal(s.mailbox(s.alice), "symbolic link") { try s.importAlice(into: maildir, owner: s.owner(s.alice), lock: lock) }
        }
        #expect(AttackScene.messages(in: maildir).isEmpty)
        // A hard link (possible where fs.protected_hardlinks is off; planted by root here).
        unlink(s.mailbox(s.alice))
        #expect(link(s.mailbox(s.bob), s.mailbox(s.alice)) == 0)
        await expectRefusal(s.mailbox(s.alice), "hard links") { try s.importAlice(into: maildir, owner: s.owner(s.alice)) }
        #expect(AttackScene.messages(in: maildir).isEmpty)
        #expect(SourceIdentity.of(s.mailbox(s.alice)) == nil)
    }

    @Test func savedMailSwappedForALinkAtItsGateIsNotImported() async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.home(s.alice) + "/Maildir"
        let saved = s.home(s.alice) + "/saved-mail"
        try s.alice.act(#"printf '%s' "$2" > "$1""#, saved, AttackScene.aliceMail)
        let store = StoreTarget(kind: .maildir, host: "store", maildir: maildir, owner: s.alice.name)
        let step = MailboxStepsTests.step("saved-alice", .savedImport(SavedImportParameters(savedPath: saved, timezone: "UTC", store: store)))
        let runner = SavedImportRunner(transport: LocalTransport())
        #expect(try await runner.inspect(step, context: StepContext(dryRun: true)).state == .pending)
        // While the batch waits at its gate, the file becomes a link to bob's mailbox.
        try s.alice.act(#"rm -f "$1" && ln -s "$2" "$1""#, saved, s.mailbox(s.bob))
        await expectRefusal(saved, "symbolic link") { _ = try await runner.apply(step, context: StepContext(dryRun: false)) }
        #expect(AttackScene.messages(in: maildir).isEmpty)
    }

    @Test func replayedMailBelongsToTheStoreOwner() async throws {
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.dir.file("store/\(s.alice.name)/Maildir")
        let saved = s.dir.file("saved-alice")
        try Data(AttackScene.aliceMail.utf8).write(to: URL(fileURLWithPath: saved))
        let store = StoreTarget(kind: .maildir, host: "store", maildir: maildir, owner: s.alice.name)
        let savedStep = MailboxStepsTests.step(
            "saved-alice", .savedImport(SavedImportParameters(savedPath: saved, timezone: "UTC", store: store)))
        #expect(try await SavedImportRunner(transport: LocalTransport()).apply(savedStep, context: StepContext(dryRun: false))["imported"] == "2")
        let hold = s.dir.file("hold")
        try FileManager.default.createDirectory(atPath: hold, withIntermediateDirectories: false)
        try Data("Subject: held\n\nheld body\n".utf8).write(to: URL(fileURLWithPath: hold + "/ZZ01.HELD"))
        let holdStep = MailboxStepsTests.step("hold-alice", .holdRelease(HoldReleaseParameters(spoolDir: hold, timezone: "UTC", store: store)))
        #expect(try await HoldReleaseRunner(transport: LocalTransport()).apply(holdStep, context: StepContext(dryRun: false))["imported"] == "1")
        let files = AttackScene.messages(in: maildir)
        #expect(files.count == 3)
        for path in files + [maildir, maildir + "/tmp", maildir + "/new", maildir + "/cur"] {
            var st = stat()
            #expect(lstat(path, &st) == 0)
            #expect(st.st_uid == s.alice.uid && st.st_gid == s.alice.gid, "\(path) is \(st.st_uid):\(st.st_gid)")
            let want: mode_t = (st.st_mode & S_IFMT) == S_IFDIR ? 0o700 : 0o600
            #expect(st.st_mode & 0o7777 == want, "\(path) is \(String(st.st_mode & 0o7777, radix: 8))")
        }
        // A held message that is a link is refused, not followed.
        symlink(s.mailbox(s.bob), hold + "/ZZ02.HELD")
        await expectRefusal(hold + "/ZZ02.HELD", "symbolic link") {
            _ = try await HoldReleaseRunner(transport: LocalTransport()).apply(holdStep, context: StepContext(dryRun: false))
        }
    }

    @Test func createdDirectoriesAndFilesHaveExplicitModesUnderUmask000() throws {
        let bin = try #require(ChildProcess.mailshift, "build the mailshift product first")
        let s = try AttackScene()
        defer { s.remove() }
        let maildir = s.dir.file("new-parent/store/Maildir")
        let r = try ChildProcess.run([
            "/bin/sh", "-c", #"umask 000 && exec "$@""#, "sh", bin, "mbox", "import", s.mailbox(s.alice), "--maildir", maildir,
            "--owner", s.alice.name, "--timezone", "UTC",
        ])
        #expect(r.status == 0)
        func expectMode(_ path: String, _ mode: mode_t, _ uid: uid_t) {
            var st = stat()
            #expect(lstat(path, &st) == 0)
            #expect(st.st_mode & 0o7777 == mode, "\(path) is \(String(st.st_mode & 0o7777, radix: 8)), not \(String(mode, radix: 8))")
            #expect(st.st_uid == uid, "\(path) is owned by uid \(st.st_uid)")
        }
        for parent in ["new-parent", "new-parent/store"] { expectMode(s.dir.file(parent), 0o755, 0) }
        for sub in ["", "/tmp", "/new", "/cur"] { expectMode(maildir + sub, 0o700, s.alice.uid) }
        let files = AttackScene.messages(in: maildir)
        #expect(files.count == 2)
        for f in files { expectMode(f, 0o600, s.alice.uid) }
    }
}
