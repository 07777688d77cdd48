import Foundation
import Glibc
import Lab
import MailshiftTestSupport
import Testing

/// The lab's slapd.conf holds the root password and its LDIF the migrator's: 0600 files in 0700
/// directories, whatever the umask (the tests' process has the usual 022).
@Suite struct LabSecretsTests {
    static func mode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
    }

    @Test func slapdSecretsAreReadableOnlyByTheirOwner() throws {
        let fixture = try SlapdFixture(userCount: 1)
        defer { fixture.stop() }
        let dir = fixture.slapd.directory
        #expect(Self.mode(dir) == 0o700)
        #expect(Self.mode(dir + "/db") == 0o700)
        for file in ["slapd.conf", "directory.ldif"] {
            #expect(Self.mode(dir + "/" + file) == 0o600, "\(file)")
        }
        let passwordFile = fixture.temp.file("run/ldap.secret")
        _ = try fixture.slapd.planDirectorySection(passwordFile: passwordFile)
        #expect(Self.mode(passwordFile) == 0o600)
        #expect(Self.mode(fixture.temp.file("run")) == 0o700)
    }
}
