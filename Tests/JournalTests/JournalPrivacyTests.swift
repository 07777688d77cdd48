import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

/// The state directory is private to the running user, and one that anyone else could have
/// written, or that is reached through a symbolic link, is refused.
/// (Creation under a hostile umask is `StateUmaskTests`: a umask set in this process would reach
/// every other suite's files.)
@Suite struct JournalPrivacyTests {
    func header(_ graph: StepGraph) -> JournalHeader {
        JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
    }

    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int) ?? -1
    }

    /// A journal with a header and one record, its lock taken and released.
    func writeJournal(_ store: FileJournalStore) async throws {
        let graph = sampleGraph()
        let lease = try store.acquireLock(command: "test")
        defer { lease.release() }
        try store.beginAppending(header: header(graph))
        try await store.append([.done(graph.step(0), how: "applied", outputs: ["forward.u0": "base64:c2VjcmV0"])])
        store.close()
    }

    func problem(_ body: () throws -> Void) -> TrustProblem? {
        do {
            try body()
        } catch JournalError.untrusted(_, let problem) {
            return problem
        } catch {
            Issue.record("expected an untrusted-state error, got \(error)")
            return nil
        }
        return nil
    }

    @Test func stateLeftWorldReadableByAnOlderVersionIsTightened() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = FileJournalStore(directory: dir.file("state"))
        try await writeJournal(store)
        chmod(store.directory, 0o755)
        chmod(store.logPath, 0o644)
        chmod(store.lockPath, 0o644)
        _ = try store.read(full: true) { _ in }
        _ = try store.lockHolder()
        #expect(try mode(store.directory) == 0o700)
        #expect(try mode(store.logPath) == 0o600)
        #expect(try mode(store.lockPath) == 0o600)
    }

    @Test func aStateDirectoryReachedThroughASymlinkIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let real = FileJournalStore(directory: dir.file("real"))
        try await writeJournal(real)
        symlink(real.directory, dir.file("link"))
        let linked = FileJournalStore(directory: dir.file("link"))
        #expect(problem { _ = try linked.read(full: true) { _ in } } == .symlink)
        #expect(problem { _ = try linked.acquireLock(command: "run") } == .symlink)
        #expect(problem { try linked.beginAppending(header: header(sampleGraph())) } == .symlink)
        #expect(problem { _ = try linked.lockHolder() } == .symlink)
    }

    @Test func aJournalOrLockThatIsASymlinkIsRefusedAndTheTargetUntouched() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let victim = dir.file("victim")
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        let store = FileJournalStore(directory: dir.file("state"))
        try await writeJournal(store)
        unlink(store.logPath)
        symlink(victim, store.logPath)
        #expect(problem { _ = try store.read(full: true) { _ in } } == .symlink)
        #expect(problem { try store.beginAppending(header: header(sampleGraph())) } == .symlink)
        unlink(store.lockPath)
        symlink(victim, store.lockPath)
        #expect(problem { _ = try store.acquireLock(command: "run") } == .symlink)
        #expect(problem { _ = try store.breakLock() } == .symlink)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try mode(victim) == 0o644)
    }

    @Test func stateWritableByOthersIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = FileJournalStore(directory: dir.file("state"))
        try await writeJournal(store)
        chmod(store.logPath, 0o620)
        #expect(problem { _ = try store.read(full: true) { _ in } } == .writableByOthers(mode: 0o100620))
        chmod(store.logPath, 0o600)
        chmod(store.directory, 0o703)
        #expect(problem { _ = try store.read(full: true) { _ in } } == .writableByOthers(mode: 0o040703))
        #expect(problem { _ = try store.acquireLock(command: "run") } == .writableByOthers(mode: 0o040703))
        chmod(store.directory, 0o700)
        _ = try store.read(full: true) { _ in }
    }

    @Test func aDirectoryAboveTheStateThatOthersMayChangeIsRefusedUnlessSticky() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let shared = dir.file("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o777)
        let store = FileJournalStore(directory: shared + "/state")
        guard case .unsafeAncestor(let ancestor, _, _)? = problem({ _ = try store.acquireLock(command: "run") }) else {
            Issue.record("a world-writable parent was accepted")
            return
        }
        #expect(ancestor.hasSuffix("/shared"))
        chmod(shared, 0o1777)  // like /tmp: others cannot rename what is ours
        try await writeJournal(store)
    }

    @Test func stateOwnedAndWrittenByAnotherUserIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let other = try UnprivilegedUser()
        defer { other.remove() }
        chmod(dir.path, 0o755)  // whatever umask another test set: the other user must get in
        // The other user prepared the state directory (as one could beside a plan in a shared
        // place) and wrote a journal into it.
        let parent = dir.file("plans")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        try other.chown(parent)
        let state = parent + "/state"
        try other.run(["/bin/mkdir", "-m", "0700", state])
        try other.run(["/bin/sh", "-c", "printf 'x H\\tmailshift-journal\\t2\\n' > \(state)/journal.log"])
        // Even with the parent made root's, the directory itself is someone else's.
        chown(parent, 0, 0)
        let store = FileJournalStore(directory: state)
        #expect(problem { _ = try store.read(full: true) { _ in } } == .notOwned(uid: other.uid))
        #expect(problem { _ = try store.acquireLock(command: "run") } == .notOwned(uid: other.uid))
        #expect(problem { try store.beginAppending(header: header(sampleGraph())) } == .notOwned(uid: other.uid))

        // A directory of ours holding a journal file of theirs is refused too.
        let mine = FileJournalStore(directory: dir.file("mine"))
        try await writeJournal(mine)
        try other.chown(mine.logPath)
        #expect(problem { _ = try mine.read(full: true) { _ in } } == .notOwned(uid: other.uid))
    }

    @Test func aKeyOthersCanReadIsRefusedNotRepaired() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = FileJournalStore(directory: dir.file("state"))
        try await writeJournal(store)
        chmod(store.keyPath, 0o644)
        let fresh = FileJournalStore(directory: store.directory)
        #expect(problem { _ = try fresh.read(full: true) { _ in } } == .keyExposed(mode: 0o100644))
        #expect(try mode(store.keyPath) == 0o644)
    }
}
