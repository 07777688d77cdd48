import Foundation
import Journal
import MailshiftTestSupport
import Testing

/// The state directory and its files get their modes from mailshift, not the umask: a real
/// executor process (the crash worker) run under a umask that leaves the owner without write
/// creates the directory 0700 and every file 0600. (The umask is set in the child's shell, never
/// in the test process, whose other suites would pick it up.)
@Suite struct StateUmaskTests {
    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func stateIsCreatedOwnerOnlyWhateverTheUmask() throws {
        let dir = try TemporaryDirectory(prefix: "umask")
        defer { dir.remove() }
        let root = dir.file("effects")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let state = dir.file(".mailshift/plan")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", #"umask 277 && exec "$0" "$@""#, try CrashSafetyTests.workerPath(), root, state, "--users", "4"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let store = FileJournalStore(directory: state)
        #expect(try mode(dir.file(".mailshift")) == 0o700)
        #expect(try mode(state) == 0o700)
        #expect(try mode(store.logPath) == 0o600)
        #expect(try mode(store.keyPath) == 0o600)
        #expect(try mode(store.lockPath) == 0o600)
    }
}
