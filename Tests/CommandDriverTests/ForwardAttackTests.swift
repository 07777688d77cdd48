import CommandDriver
import Foundation
import Glibc
import MailshiftTestSupport
import Steps
import Testing

/// Attacks by a real user on root-run `forward.divert`/`forward.restore` (local host): links in
/// the `.forward` path and on the saved-mail file, a hard-linked `.forward`; and the restore
/// putting back the user's own mode and owner.
@Suite(.enabled(if: SystemUser.available, "needs root to create users and act as them"))
struct ForwardAttackTests {
    struct Scene {
        let dir: TemporaryDirectory
        let user: SystemUser
        let target: RootTarget
        var home: String { dir.file("home/\(user.name)") }

        init() throws {
            dir = try TemporaryDirectory(prefix: "fwd-attack")
            chmod(dir.path, 0o755)
            user = try SystemUser()
            target = try RootTarget(in: dir.path)
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            chmod(dir.file("home"), 0o755)
            chown(home, user.uid, user.gid)
        }

        func remove() {
            dir.remove()
            user.delete()
        }

        /// Another real user of the batch, with a home of their own (the caller deletes the user).
        func secondUser() throws -> (SystemUser, home: String) {
            let other = try SystemUser()
            let home = dir.file("home/\(other.name)")
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            chown(home, other.uid, other.gid)
            return (other, home)
        }

        /// divert and restore steps for `forward` and `saved` templates, owned by the mail user.
        func steps(forward: String, saved: String) -> (StepInstance, StepInstance) {
            let divert = makeStep(
                .forwardDivert(ForwardDivertParameters(forwardFile: forward, savedPath: saved, keepLocal: false)), id: "pilot/divert",
                host: localHost, users: [user.name])
            let restore = makeStep(
                .forwardRestore(
                    ForwardRestoreParameters(forwardFile: forward, divertStep: StepReference(idPrefix: "pilot/divert", sameUser: false))),
                id: "pilot/restore", host: localHost, users: [user.name])
            return (divert, restore)
        }

        func divert(_ step: StepInstance) async throws -> StepOutputs {
            try await ForwardDivertRunner(transport: LocalTransport()).apply(step, context: StepContext(dryRun: false))
        }

        func expectTargetUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let now = try target.snapshot()
            #expect(now == target.pristine, "root target now:\n\(now)", sourceLocation: sourceLocation)
        }
    }

    static func expectRefusal(_ words: String..., sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("the attack was not refused", sourceLocation: sourceLocation)
        } catch let failure as StepFailure {
            for w in words { #expect(failure.summary.contains(w), "\(failure.summary) does not mention \(w)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("refused, but not with a step failure: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func aLinkedDirectoryInTheForwardPathIsNotFollowed() async throws {
        let s = try Scene()
        defer { s.remove() }
        try s.user.act(#"ln -s "$1" "$2/conf""#, s.target.directory, s.home)
        let (divert, _) = s.steps(forward: s.dir.file("home/{user}/conf/.forward"), saved: s.dir.file("saved/{user}"))
        await Self.expectRefusal("\(s.home)/conf", "symbolic link") { _ = try await s.divert(divert) }
        try s.expectTargetUntouched()
    }

    @Test func aLinkedSavedMailFileOrDirectoryIsNotFollowed() async throws {
        let s = try Scene()
        defer { s.remove() }
        // The saved-mail file itself a link to root's file, then its directory a link to root's.
        try s.user.act(#"ln -s "$1" "$2/saved-mail""#, s.target.file, s.home)
        var (divert, _) = s.steps(forward: s.dir.file("home/{user}/.forward"), saved: s.dir.file("home/{user}/saved-mail"))
        await Self.expectRefusal("\(s.home)/saved-mail", "symbolic link") { _ = try await s.divert(divert) }
        try s.user.act(#"ln -s "$1" "$2/saved""#, s.target.directory, s.home)
        (divert, _) = s.steps(forward: s.dir.file("home/{user}/.forward"), saved: s.dir.file("home/{user}/saved/mail"))
        await Self.expectRefusal("\(s.home)/saved", "symbolic link") { _ = try await s.divert(divert) }
        try s.expectTargetUntouched()
        #expect(!FileManager.default.fileExists(atPath: s.home + "/.forward"))
    }

    @Test func aHardLinkedForwardOrSavedMailFileIsRefused() async throws {
        let s = try Scene()
        defer { s.remove() }
        // Possible where fs.protected_hardlinks is off (planted by root here).
        #expect(link(s.target.file, s.home + "/.forward") == 0)
        let (divert, _) = s.steps(forward: s.dir.file("home/{user}/.forward"), saved: s.dir.file("saved/{user}"))
        await Self.expectRefusal("\(s.home)/.forward", "hard links") { _ = try await s.divert(divert) }
        unlink(s.home + "/.forward")
        // The same for the saved-mail file sendmail will append to.
        #expect(link(s.target.file, s.home + "/saved-mail") == 0)
        let (savedDivert, _) = s.steps(forward: s.dir.file("home/{user}/.forward"), saved: s.dir.file("home/{user}/saved-mail"))
        await Self.expectRefusal("\(s.home)/saved-mail", "hard links") { _ = try await s.divert(savedDivert) }
        unlink(s.home + "/saved-mail")
        #expect(!FileManager.default.fileExists(atPath: s.home + "/.forward"))
        try s.expectTargetUntouched()
    }

    @Test func restorePutsBackTheModeAndOwnerAndKeepsACopyUntilThen() async throws {
        let s = try Scene()
        defer { s.remove() }
        let forward = s.home + "/.forward"
        let original = "\(s.user.name)@elsewhere.example\n"
        try s.user.act(#"umask 022 && printf '%s' "$2" > "$1""#, forward, original)
        let (divert, restore) = s.steps(forward: s.dir.file("home/{user}/.forward"), saved: s.dir.file("saved/{user}"))
        let outputs = try await s.divert(divert)
        #expect(outputs["previous_attributes.\(s.user.name)"] == "644:\(s.user.uid):\(s.user.gid)")
        func status(_ path: String) -> stat? {
            var st = stat()
            return lstat(path, &st) == 0 ? st : nil
        }
        let copy = forward + ".mailshift-orig"
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == original)
        #expect(status(copy).map { $0.st_uid == s.user.uid && $0.st_mode & 0o7777 == 0o600 } == true)
        #expect(status(forward).map { $0.st_uid == s.user.uid && $0.st_mode & 0o7777 == 0o600 } == true)

        let context = StepContext(dryRun: false, outputs: { $0 == "pilot/divert" ? outputs : nil })
        let restored = try await ForwardRestoreRunner(transport: LocalTransport()).apply(restore, context: context)
        #expect(restored["restored.\(s.user.name)"] == "written")
        #expect(try String(contentsOfFile: forward, encoding: .utf8) == original)
        let st = try #require(status(forward))
        #expect(st.st_uid == s.user.uid && st.st_gid == s.user.gid)
        #expect(st.st_mode & 0o7777 == 0o644)
        #expect(status(copy) == nil)
    }

    /// One user's `.forward` is a link to root's file and another has no home: both are set aside,
    /// undiverted; the third user of the batch is diverted; root's file is untouched.
    @Test func oneUsersLinkedForwardOrMissingHomeDoesNotBlockTheBatchsDivert() async throws {
        let s = try Scene()
        defer { s.remove() }
        let (other, otherHome) = try s.secondUser()
        defer { other.delete() }
        try s.user.act(#"ln -s "$2" "$1""#, s.home + "/.forward", s.target.file)
        let homeless = "nohome\(UInt16.random(in: 0...9999))"
        let users = [s.user.name, other.name, homeless]
        let divert = makeStep(
            .forwardDivert(ForwardDivertParameters(forwardFile: s.dir.file("home/{user}/.forward"), savedPath: s.dir.file("saved/{user}"), keepLocal: false)),
            id: "pilot/divert", host: localHost, users: users)
        let log = CheckpointLog()
        let failure = try await #require(throws: UsersSetAside.self) {
            try await ForwardDivertRunner(transport: LocalTransport()).apply(divert, context: log.context())
        }
        #expect(failure.users == [s.user.name, homeless], "\(failure.summary)")
        #expect(try String(contentsOfFile: otherHome + "/.forward", encoding: .utf8).contains(s.dir.file("saved/\(other.name)")))
        #expect(FileManager.default.fileExists(atPath: s.dir.file("saved/\(other.name)")))
        #expect(!FileManager.default.fileExists(atPath: s.dir.file("home/\(homeless)")))
        try s.expectTargetUntouched()
        let recorded = await log.records.reduce(StepOutputs()) { $0.merging($1) }
        #expect(recorded["previous.\(other.name)"] != nil && recorded["diverted"] == "1")
    }

    /// One user's `.forward` turned into a link while the batch waited at its gate: that user is
    /// set aside, every other user of the batch is restored, and the link is not followed.
    @Test func oneUsersLinkedForwardDoesNotBlockTheBatchsRestore() async throws {
        let s = try Scene()
        defer { s.remove() }
        let (other, otherHome) = try s.secondUser()
        defer { other.delete() }
        try other.act(#"umask 022 && printf 'other\n' > "$1""#, otherHome + "/.forward")
        let users = [s.user.name, other.name]
        let forward = s.dir.file("home/{user}/.forward")
        let divert = makeStep(
            .forwardDivert(ForwardDivertParameters(forwardFile: forward, savedPath: s.dir.file("saved/{user}"), keepLocal: false)),
            id: "pilot/divert", host: localHost, users: users)
        let restore = makeStep(
            .forwardRestore(ForwardRestoreParameters(forwardFile: forward, divertStep: StepReference(idPrefix: "pilot/divert", sameUser: false))),
            id: "pilot/restore", host: localHost, users: users)
        let diverted = try await ForwardDivertRunner(transport: LocalTransport()).apply(divert, context: StepContext(dryRun: false))
        // While the batch waits, the first user swaps the diversion for a link to root's file.
        try s.user.act(#"rm -f "$1" && ln -s "$2" "$1""#, s.home + "/.forward", s.target.file)

        let log = CheckpointLog()
        let context = log.context(outputs: { $0 == "pilot/divert" ? diverted : nil })
        await Self.expectRefusal(s.user.name, "set aside, the rest of the batch went on") {
            _ = try await ForwardRestoreRunner(transport: LocalTransport()).apply(restore, context: context)
        }
        #expect(try String(contentsOfFile: otherHome + "/.forward", encoding: .utf8) == "other\n", "the other user is restored")
        #expect(await log.records.last?["restored.\(other.name)"] == "written", "and that is checkpointed")
        try s.expectTargetUntouched()

        // Once the user's link is gone, a resume finishes the batch; the restored user is left alone.
        unlink(s.home + "/.forward")
        let again = try await ForwardRestoreRunner(transport: LocalTransport()).apply(restore, context: context)
        #expect(again["restored.\(other.name)"] == "unchanged")
        try s.expectTargetUntouched()
    }
}
