import Foundation
import Glibc
import MailshiftTestSupport
import SafeFiles
import Testing

/// Which links `DirectoryWalk` follows: only one root placed in a directory only root can write
/// (`/var/mail -> spool/mail`); a link anyone else could have placed is refused.
@Suite(.enabled(if: SystemUser.available, "needs root to create users and act as them"))
struct DirectoryWalkTests {
    @Test func followsOnlyLinksOnlyRootCouldHavePlaced() throws {
        let dir = try TemporaryDirectory(prefix: "walk")
        defer { dir.remove() }
        let user = try SystemUser()
        defer { user.delete() }
        chmod(dir.path, 0o755)
        for sub in ["real/spool", "root-only", "shared"] {
            try FileManager.default.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true)
        }
        chmod(dir.file("root-only"), 0o755)
        chmod(dir.file("shared"), 0o1777)
        // Root's link in a root-only directory: followed, and so is a relative target with `..`.
        #expect(symlink("../real/spool", dir.file("root-only/mail")) == 0)
        let followed = try #require(try DirectoryWalk.open(dir.file("root-only/mail")))
        var st = stat(), real = stat()
        #expect(fstat(followed.fd, &st) == 0 && stat(dir.file("real/spool"), &real) == 0 && st.st_ino == real.st_ino)
        // Root's link in a world-writable directory, and a user's link: refused.
        #expect(symlink(dir.file("real/spool"), dir.file("shared/root-link")) == 0)
        try user.act(#"ln -s "$1" "$2""#, dir.file("real/spool"), dir.file("shared/user-link"))
        for link in ["shared/root-link", "shared/user-link"] {
            #expect(throws: FileRefusal.symbolicLink(dir.file(link))) { _ = try DirectoryWalk.open(dir.file(link) + "/more") }
        }
        // A missing component is nil, not a refusal; `..` in a path is refused.
        #expect(try DirectoryWalk.open(dir.file("real/absent")) == nil)
        #expect(throws: FileRefusal.self) { _ = try DirectoryWalk.open(dir.file("real/../root-only")) }
    }
}
