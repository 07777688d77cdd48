import Foundation
import Glibc
import MailshiftTestSupport
import Testing

@testable import MailboxDriver

/// Attacks on the spool dotlock in a world-writable spool, planted by a real user: links where
/// the temporary file or the dotlock will be, and a sparse multi-gigabyte dotlock.
@Suite(.enabled(if: SystemUser.available, "needs root to create users and act as them"))
struct SpoolLockAttackTests {
    @Test func plantedTemporaryNamesAreNeverFollowed() throws {
        let s = try AttackScene()
        defer { s.remove() }
        let mbox = s.mailbox(s.alice)
        // The names a predictable scheme would use, each a link to root's file.
        for guess in ["\(mbox).lock.\(getpid()).tmp", "\(mbox).lock.tmp", "\(mbox).lock.\(getpid())"] {
            try s.alice.act(#"ln -s "$1" "$2""#, s.target.file, guess)
        }
        let lock = try SpoolLock(mbox: mbox, timeout: 1)
        #expect(lock.haveDotlock)
        var st = stat()
        #expect(lstat(mbox + ".lock", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_uid == 0)
        lock.unlock()
        try s.expectTargetUntouched()
    }

    @Test func aLinkedDotlockIsNeitherReadNorFollowedWhenBroken() throws {
        let s = try AttackScene()
        defer { s.remove() }
        let mbox = s.mailbox(s.alice)
        // A fresh one is somebody's lock: waited for, then a timeout.
        try s.alice.act(#"ln -s "$1" "$2""#, s.target.file, mbox + ".lock")
        #expect(throws: MboxError.self) { _ = try SpoolLock(mbox: mbox, timeout: 0.3) }
        try s.expectTargetUntouched()
        // A stale one is removed: the link, never what it points at.
        try s.alice.act(#"touch -h -d '1 hour ago' "$1""#, mbox + ".lock")
        let lock = try SpoolLock(mbox: mbox, timeout: 1)
        #expect(lock.haveDotlock)
        lock.unlock()
        try s.expectTargetUntouched()
    }

    @Test func aSparseMultiGigabyteDotlockIsNeverReadWhole() throws {
        let bin = try #require(ChildProcess.mailshift, "build the mailshift product first")
        let s = try AttackScene()
        defer { s.remove() }
        let mbox = s.mailbox(s.alice)
        try s.alice.act(#"truncate -s 2G "$1""#, mbox + ".lock")
        // A real import waits for the lock, re-checking it every 100 ms: watch its memory a while.
        let pid = try ChildProcess.spawn([
            bin, "mbox", "import", mbox, "--maildir", s.dir.file("Maildir"), "--lock", "--timezone", "UTC",
        ])
        var peak = 0
        let until = Date().addingTimeInterval(1.5)
        while Date() < until {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
            {
                peak = max(peak, kb)
            }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        _ = ChildProcess.wait(pid)
        #expect(peak > 0)
        #expect(peak < 64 * 1024, "peak RSS \(peak) KB while a 2 GB sparse dotlock was held")
    }
}
