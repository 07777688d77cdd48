import Foundation
import Glibc
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// A machine under attack, for the root-run security tests: two real unprivileged users
/// (alice attacks, bob is the victim), a world-writable spool holding their mailboxes, a home
/// each, and a root-owned directory and file the attacks aim at.
struct AttackScene {
    let dir: TemporaryDirectory
    let alice: SystemUser
    let bob: SystemUser
    let target: RootTarget

    static let aliceMail = "From a@example.com Mon Jan  1 00:00:00 2024\nSubject: one\n\nhello\n\nFrom b@example.com Mon Jan  1 00:00:01 2024\nSubject: two\n\nworld\n"
    static let bobMail = "From c@example.com Mon Jan  1 00:00:00 2024\nSubject: bob's secret\n\nfor bob only\n"

    var spool: String { dir.file("spool") }
    func mailbox(_ u: SystemUser) -> String { spool + "/" + u.name }
    func home(_ u: SystemUser) -> String { dir.file("home-" + u.name) }
    func owner(_ u: SystemUser) -> (uid: uid_t, gid: gid_t) { (u.uid, u.gid) }

    init() throws {
        dir = try TemporaryDirectory(prefix: "attack")
        chmod(dir.path, 0o755)
        alice = try SystemUser()
        bob = try SystemUser()
        target = try RootTarget(in: dir.path)
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: false)
        chmod(spool, 0o1777)  // as many spools are
        for (u, text) in [(alice, Self.aliceMail), (bob, Self.bobMail)] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: mailbox(u)))
            chown(mailbox(u), u.uid, u.gid)
            chmod(mailbox(u), 0o600)
            try FileManager.default.createDirectory(atPath: home(u), withIntermediateDirectories: false)
            chown(home(u), u.uid, u.gid)
            chmod(home(u), 0o755)
        }
    }

    func remove() {
        dir.remove()
        alice.delete()
        bob.delete()
    }

    /// Imports alice's spool mailbox into `maildir` as root, the way `mailbox.import` does.
    func importAlice(into maildir: String, owner: (uid: uid_t, gid: gid_t)?, staging: MaildirWriter.Staging = .automatic, lock: Bool = false) throws {
        var options = MboxImportOptions(lock: lock, lockTimeout: 0.5, owner: owner)
        options.staging = staging
        _ = try MboxImport.run(file: mailbox(alice), maildir: maildir, options: options)
    }

    /// Messages in a Maildir's `new/` and `cur/` (none when it does not exist).
    static func messages(in maildir: String) -> [String] { MaildirIndex.files(maildir) }

    /// The root target is exactly as created: nothing written, chowned or chmod'ed through a link.
    func expectTargetUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let now = try target.snapshot()
        #expect(now == target.pristine, "root target now:\n\(now)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to fail with a step failure whose one-line summary names each of `words`.
func expectRefusal(
    _ words: String..., sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("the attack was not refused", sourceLocation: sourceLocation)
    } catch let failure as StepFailure {
        for w in words {
            #expect(failure.summary.contains(w), "\(failure.summary) does not mention \(w)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("refused, but not with a step failure: \(error)", sourceLocation: sourceLocation)
    }
}
