import Diagnostics
import Foundation
import MailshiftTestSupport
@testable import PlanCompiler
import Testing

/// A users file may be the wrong file (`/etc/shadow`), a huge one, or not a file at all: its
/// secrets are never printed and its size never decides how much memory `check` takes.
@Suite struct UsersFileTests {
    static let planTemplate = try! String(
        contentsOf: TestPaths.fixtures.appendingPathComponent("check-unsafe-users-in-file.yaml"), encoding: .utf8)

    /// Compiles the fixture plan with `users_file: <path>` in a temporary directory.
    static func compile(usersFile path: String, in dir: TemporaryDirectory) throws -> CompilationResult {
        let plan = dir.file("plan.yaml")
        try planTemplate.replacingOccurrences(of: "users-unsafe.txt", with: path).write(toFile: plan, atomically: true, encoding: .utf8)
        return Compiler.compile(planAt: plan)
    }

    @Test func aShadowLikeLineIsReportedByPositionNotContent() {
        let text = FixtureTests.rendered("check-users-file-shadow")
        for secret in ["$6$", "Xk9s2Pq1", "NeverBeShown", "root:", "daemon", "19700", ":::"] {
            #expect(!text.contains(secret), "the output shows '\(secret)'")
        }
        #expect(text.contains("users-shadow.txt:3:5: error: line 3 of the users file is not a user name"))
        #expect(text.contains("users-shadow.txt:5:7: error: line 5 of the users file is not a user name"))
        #expect(text.contains("hint: a users file holds one user name per line"))
        // The valid names around the bad lines were still read, trimmed.
        let path = TestPaths.fixtures.appendingPathComponent("users-shadow.txt").path
        let contents = try? UsersFileReader().read(path: path).get()
        #expect(contents?.names == ["alice", "bob", "carol"])
        #expect(contents?.rejectedCount == 2)
    }

    @Test func aFiveMegabyteFileStreamsAcrossChunks() throws {
        let dir = try TemporaryDirectory(prefix: "users")
        defer { dir.remove() }
        // Odd line lengths, CRLF and blanks so lines straddle every 64 KiB chunk boundary.
        var text = ""
        var expected: [String] = []
        var n = 0
        while text.utf8.count < 5_000_000 {
            let name = "user\(n)x" + String(repeating: "y", count: n % 23)
            expected.append(name)
            text += n % 7 == 0 ? "  \(name) \r\n" : "\(name)\n"
            if n % 1000 == 0 { text += "# a comment\n\n" }
            n += 1
        }
        try text.write(toFile: dir.file("users.txt"), atomically: true, encoding: .utf8)
        let result = try Self.compile(usersFile: "users.txt", in: dir)
        #expect(!result.diagnostics.hasErrors, "\(DiagnosticRenderer().render(result.diagnostics.items.prefix(3).map { $0 }))")
        #expect(result.graph?.users == expected)
        // The file's text is not kept for excerpts.
        #expect(result.sources.keys.allSatisfy { !$0.hasSuffix("users.txt") })
    }

    @Test func overlongLinesAreRejectedNotStored() throws {
        let dir = try TemporaryDirectory(prefix: "users")
        defer { dir.remove() }
        let lines = [
            "alice", String(repeating: "a", count: 10_000), String(repeating: " ", count: 5000) + "bob",
            String(repeating: "b", count: 255), "# " + String(repeating: "c", count: 9000), "carol",
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir.file("users.txt"), atomically: true, encoding: .utf8)
        let contents = try UsersFileReader().read(path: dir.file("users.txt")).get()
        #expect(contents.names == ["alice", String(repeating: "b", count: 255), "carol"])
        #expect(contents.rejected.map { [$0.line, $0.column] } == [[2, 256], [3, 4097]])
    }

    @Test func aFileOverTheLimitIsRefusedFromItsSize() throws {
        let dir = try TemporaryDirectory(prefix: "users")
        defer { dir.remove() }
        // Sparse: 65 MiB of size, no disk and no time; it is never read.
        let path = dir.file("huge.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(UsersFileReader.defaultByteLimit + (1 << 20)))
        try handle.close()
        let started = ContinuousClock.now
        let result = try Self.compile(usersFile: "huge.txt", in: dir)
        #expect(ContinuousClock.now - started < .seconds(5))
        let errors = result.diagnostics.errors
        #expect(errors.map(\.code) == ["compiler.users-file-size"])
        #expect(errors.first?.message.contains("over the limit of 67108864 bytes (64 MiB); it was not read") == true)
    }

    @Test func aSmallerLimitRefusesFromTheSizeAlone() throws {
        let dir = try TemporaryDirectory(prefix: "users")
        defer { dir.remove() }
        try String(repeating: "alice\n", count: 1000).write(toFile: dir.file("users.txt"), atomically: true, encoding: .utf8)
        var reader = UsersFileReader()
        reader.byteLimit = 5000
        // fstat sees 6000 bytes: refused before reading.
        #expect(throws: UsersFileReader.Failure.tooLarge(bytes: 6000, limit: 5000)) { try reader.read(path: dir.file("users.txt")).get() }
    }

    @Test func aDeviceOrDirectoryIsNotAUsersFile() throws {
        let dir = try TemporaryDirectory(prefix: "users")
        defer { dir.remove() }
        for path in ["/dev/zero", dir.path] {
            let result = try Self.compile(usersFile: path, in: dir)
            #expect(result.diagnostics.errors.map(\.message) == ["users file '\(path)' is not a regular file ('\(path)')"])
        }
        let missing = try Self.compile(usersFile: "nope.txt", in: dir)
        #expect(missing.diagnostics.errors.first?.message.contains("No such file or directory") == true)
    }
}
