import ArgumentParser
import Foundation
import Journal
import MailshiftTestSupport
import Testing

@testable import MailshiftCLI

/// The commands refuse a state directory they cannot trust with exit code 5 (journal unusable),
/// before any step runs.
@Suite struct UntrustedStateTests {
    static func run(_ arguments: [String]) async throws {
        var command = try Mailshift.parseAsRoot(arguments)
        if var asynchronous = command as? any AsyncParsableCommand {
            try await asynchronous.run()
        } else {
            try command.run()
        }
    }

    /// A plan whose first step would create `marker` (it must never exist).
    static func writePlan(_ dir: TemporaryDirectory) throws -> (plan: String, marker: String) {
        let marker = dir.file("ran")
        try FileManager.default.createDirectory(atPath: dir.file("spool"), withIntermediateDirectories: true)
        let text = """
            version: 1
            name: untrusted-state
            strategy: simple
            hosts:
              legacy: { address: oldmail.example.edu, connect: local, roles: [legacy] }
              store: { address: newmail.example.edu, connect: local, roles: [store] }
            directory: { url: "ldap://127.0.0.1:1", base: "dc=example,dc=edu", connect_timeout: 1 }
            source: { host: legacy, spool: "\(dir.file("spool"))", lock: false }
            store: { kind: maildir, path: "\(dir.path)/store/{user}/Maildir" }
            services:
              legacy_mta: { host: legacy, stop: [/usr/bin/touch, "\(marker)"] }
              store_server: { host: store, start: [/usr/bin/touch, "\(marker)"] }
            batches:
              - name: everyone
                users: [ann]

            """
        let plan = dir.file("plan.yaml")
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        return (plan, marker)
    }

    func exitCode(_ arguments: [String]) async -> ExitCode? {
        do {
            try await Self.run(arguments)
            return nil
        } catch let code as ExitCode {
            return code
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func aStateDirectoryThroughASymlinkExitsFive() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (plan, marker) = try Self.writePlan(dir)
        try FileManager.default.createDirectory(atPath: dir.file("real"), withIntermediateDirectories: false)
        symlink(dir.file("real"), dir.file("link"))
        #expect(await exitCode(["run", plan, "--state", dir.file("link")]) == .journalUnavailable)
        #expect(await exitCode(["status", plan, "--state", dir.file("link")]) == .journalUnavailable)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("real")).isEmpty)
    }

    @Test func aStateDirectoryOfAnotherUserExitsFive() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let other = try UnprivilegedUser()
        defer { other.remove() }
        let (plan, marker) = try Self.writePlan(dir)
        let state = dir.file("theirs")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        try other.chown(state)
        chmod(state, 0o700)
        #expect(await exitCode(["run", plan, "--state", state]) == .journalUnavailable)
        #expect(await exitCode(["resume", plan, "--state", state]) == .journalUnavailable)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aFormatOneJournalExitsFive() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (plan, marker) = try Self.writePlan(dir)
        let state = dir.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        chmod(state, 0o700)
        // The header of a journal an older mailshift wrote (8-digit unkeyed checksum).
        try "0a1b2c3d H\tmailshift-journal\t1\tabc\tuntrusted-state\t7\n"
            .write(toFile: state + "/journal.log", atomically: false, encoding: .utf8)
        chmod(state + "/journal.log", 0o600)
        #expect(await exitCode(["resume", plan, "--state", state]) == .journalUnavailable)
        #expect(await exitCode(["run", plan, "--state", state]) == .journalUnavailable)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
