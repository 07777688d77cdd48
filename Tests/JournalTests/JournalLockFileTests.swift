import Foundation
import Journal
import MailshiftTestSupport
import Testing

@Suite struct JournalLockFileTests {
    @Test func aSecondExecutorIsRefusedWhileTheFirstHoldsTheLock() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = FileJournalStore(directory: dir.file("state"))
        let lease = try store.acquireLock(command: "run plan.yaml")
        do {
            _ = try store.acquireLock(command: "resume plan.yaml")
            Issue.record("second lock should fail")
        } catch JournalError.locked(_, let holder, let liveness) {
            #expect(liveness == .alive)
            #expect(holder.pid == getpid())
            #expect(holder.command == "run plan.yaml")
        }
        #expect(throws: JournalError.self) { _ = try store.breakLock() }
        lease.release()
        let again = try store.acquireLock(command: "resume plan.yaml")
        again.release()
    }

    @Test func aLockHeldByAnotherLiveProcessIsReportedAlive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = FileJournalStore(directory: dir.file("state"))
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try "host=\(ProcessInfo.processInfo.hostName)\npid=1\nstarted=x\ncommand=other\n"
            .write(toFile: store.lockPath, atomically: false, encoding: .utf8)
        // A real separate process holding the flock.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            "-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.flock(f,fcntl.LOCK_EX); time.sleep(30)",
            store.lockPath,
        ]
        try holder.run()
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        var held = false
        for _ in 0..<100 where !held {
            if case .alive? = try store.lockStatus()?.1 { held = true } else { usleep(20_000) }
        }
        #expect(held)
        #expect(throws: JournalError.self) { _ = try store.acquireLock(command: "run") }
        #expect(throws: JournalError.self) { _ = try store.breakLock() }
    }

    @Test func aLockLeftByADeadProcessOnThisHostIsTakenOverAndNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = FileJournalStore(directory: dir.file("state"))
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try "host=\(ProcessInfo.processInfo.hostName)\npid=\(dead.processIdentifier)\nstarted=2026-01-01T00:00:00Z\ncommand=run plan.yaml\n"
            .write(toFile: store.lockPath, atomically: false, encoding: .utf8)
        let holder = try store.lockHolder()
        #expect(holder?.pid == dead.processIdentifier)
        let lease = try store.acquireLock(command: "resume")
        #expect(lease.takenOverFrom?.pid == dead.processIdentifier)
        #expect(try store.lockHolder()?.pid == getpid())
        lease.release()
        #expect(try store.lockHolder() == nil)
    }

    @Test func aStaleLockFromAnotherHostIsRefusedUntilBrokenDeliberately() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = FileJournalStore(directory: dir.file("state"))
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try "host=other-host.example.edu\npid=4242\nstarted=2026-01-01T00:00:00Z\ncommand=run plan.yaml\n"
            .write(toFile: store.lockPath, atomically: false, encoding: .utf8)
        do {
            _ = try store.acquireLock(command: "resume")
            Issue.record("a lock from another host must not be taken silently")
        } catch let error as JournalError {
            guard case .locked(_, let holder, .unknown) = error else {
                Issue.record("expected a holder of unknown liveness, got \(error)")
                return
            }
            #expect(holder.host == "other-host.example.edu")
            #expect(error.hint?.contains("unlock") == true)
        }
        let broken = try store.breakLock()
        #expect(broken?.pid == 4242)
        let lease = try store.acquireLock(command: "resume")
        #expect(lease.takenOverFrom == nil)
        lease.release()
    }
}
