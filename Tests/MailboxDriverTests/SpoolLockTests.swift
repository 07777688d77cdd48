import Foundation
import Glibc
import MailshiftTestSupport
import Testing

@testable import MailboxDriver

/// The spool dotlock after a crash: a lock left by a killed mailshift on this host is broken at
/// once; one held by a live process, or written by another program, is waited for.
@Suite struct SpoolLockTests {
    func deadPid() throws -> pid_t {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func aDotlockLeftByADeadMailshiftIsBroken() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let mbox = dir.file("alice")
        try Data("From a@b Mon Jan  1 00:00:00 2024\n\nhi\n".utf8).write(to: URL(fileURLWithPath: mbox))
        try SpoolLock.ownerText(pid: try deadPid()).write(toFile: mbox + ".lock", atomically: true, encoding: .utf8)
        let lock = try SpoolLock(mbox: mbox, timeout: 0.3)
        #expect(lock.haveDotlock)
        lock.unlock()
        #expect(!FileManager.default.fileExists(atPath: mbox + ".lock"))
    }

    @Test func aLiveHoldersOrAnotherProgramsDotlockIsWaitedFor() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let mbox = dir.file("bob")
        try Data("From a@b Mon Jan  1 00:00:00 2024\n\nhi\n".utf8).write(to: URL(fileURLWithPath: mbox))
        for content in [SpoolLock.ownerText(pid: getpid()), "", "\(try deadPid())\n", "\(try deadPid()) mailshift other-host\n"] {
            try content.write(toFile: mbox + ".lock", atomically: true, encoding: .utf8)
            #expect(throws: MboxError.self) { _ = try SpoolLock(mbox: mbox, timeout: 0.3) }
            #expect(FileManager.default.fileExists(atPath: mbox + ".lock"))
        }
    }
}
