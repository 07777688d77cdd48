import Foundation
import LDAPDriver
import MailshiftTestSupport
import Steps
import Testing

/// A password file is used only when its owner (the running user or root) alone can read it.
@Suite struct SecretFileTests {
    func passwordFile(_ dir: TemporaryDirectory, mode: mode_t) throws -> String {
        let path = dir.file("ldap.secret")
        try "s3cret-bind-pw\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    func error(_ secret: SecretReference) -> SecretError? {
        do {
            _ = try SecretSource.value(of: secret)
            return nil
        } catch {
            return error
        }
    }

    @Test func aPrivateFileIsRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try SecretSource.value(of: .file(passwordFile(dir, mode: 0o600))) == "s3cret-bind-pw")
        #expect(try SecretSource.value(of: .file(passwordFile(dir, mode: 0o400))) == "s3cret-bind-pw")
    }

    /// An `env:` secret is the variable's value as this process inherited it. The test reads a
    /// variable that is already set: setting one here would race other tests' spawns.
    @Test func anEnvironmentSecretIsTheInheritedValue() throws {
        let inherited = ProcessInfo.processInfo.environment
        let name = try #require(["PATH", "HOME", "PWD"].first { inherited[$0] != nil })
        #expect(try SecretSource.value(of: .environment(name)) == inherited[name])
        let unset = "MAILSHIFT_TEST_UNSET_\(UInt32.random(in: 0...UInt32.max))"
        #expect(error(.environment(unset)) == .unset(variable: unset))
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606] as [mode_t])
    func aFileOthersMayReadOrWriteIsRefusedWithTheFix(mode: mode_t) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try passwordFile(dir, mode: mode)
        let failure = try #require(error(.file(path)))
        #expect(failure == .exposed(file: path, mode: UInt32(mode)))
        #expect(failure.description.contains(path))
        #expect(failure.hint == "chmod 600 \(path)")
        #expect(!failure.description.contains("s3cret"))
    }

    @Test func aFileOwnedByAnotherUserIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let other = try UnprivilegedUser()
        defer { other.remove() }
        let path = try passwordFile(dir, mode: 0o600)
        try other.chown(path)
        let failure = try #require(error(.file(path)))
        #expect(failure == .foreignOwner(file: path, uid: other.uid))
        #expect(failure.hint.contains("chmod 600 \(path)"))
    }

    @Test func theDirectoryDriverRefusesToBindWithAnExposedFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try passwordFile(dir, mode: 0o644)
        // Refused before any connection: the URL is never reached.
        let endpoint = DirectoryEndpoint(url: "ldap://127.0.0.1:1", bindDN: "cn=migrator", password: .file(path),
            base: "ou=People,dc=example,dc=edu")
        do {
            _ = try await DirectoryUserSearch(endpoint: endpoint).users(matching: "(uid=*)")
            Issue.record("bound with a world-readable password file")
        } catch let failure as LDAPFailure {
            #expect(failure.reason == .configuration)
            #expect(failure.secret == .exposed(file: path, mode: 0o644))
            #expect(failure.hint == "chmod 600 \(path)")
            #expect(failure.disposition == .permanent)
        }
    }
}
