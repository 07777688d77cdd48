import Foundation
import MailboxDriver
import MailshiftTestSupport
import Testing

/// The writer's visibility rule: nothing appears in `new/` or `cur/` before `commit()`, nothing
/// visible is left by an abandoned batch, and a large batch all lands.
@Suite struct MaildirWriterTests {
    func files(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    func write(_ writer: MaildirWriter, _ n: Int, body: String = "Subject: x\n\nhello\n") throws {
        for i in 0..<n {
            try writer.begin()
            try Array(body.utf8).withUnsafeBytes { try writer.write($0) }
            try writer.finish(MaildirName(date: 1_700_000_000 + i, tag: "m\(i)-0", digest: String(format: "%016x", i),
                size: body.utf8.count, flags: MaildirFlags(letters: i % 2 == 0 ? "S" : "", old: i % 2 == 0)))
        }
    }

    @Test func invisibleUntilCommitThenEveryMessageOnce() throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        let writer = try MaildirWriter(root: root, batchMessages: 10_000)
        try write(writer, 10)
        #expect(files(root + "/new").isEmpty && files(root + "/cur").isEmpty, "not visible before commit")
        try writer.commit()
        #expect(files(root + "/new").count == 5 && files(root + "/cur").count == 5)
        #expect(files(root + "/tmp").isEmpty)
        var st = stat()
        let first = try #require(files(root + "/cur").first)
        #expect(stat(root + "/cur/" + first, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(st.st_mtim.tv_sec == 1_700_000_000)
    }

    @Test func aLargeBatchAllLands() throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        let writer = try MaildirWriter(root: root, batchMessages: 100_000)
        try write(writer, 700)
        try writer.commit()
        #expect(files(root + "/new").count + files(root + "/cur").count == 700)
        #expect(files(root + "/tmp").isEmpty)
    }

    @Test func anAbandonedBatchLeavesNothing() throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        do {
            let writer = try MaildirWriter(root: root, batchMessages: 10_000)
            try write(writer, 20)
            try writer.begin()  // a message half written when the import stops
        }
        #expect(files(root + "/new").isEmpty && files(root + "/cur").isEmpty)
        // A re-run clears what a stopped writer left in tmp/, then writes them all, once.
        let again = try MaildirWriter(root: root)
        #expect(files(root + "/tmp").isEmpty)
        try write(again, 20)
        try again.commit()
        #expect(files(root + "/new").count + files(root + "/cur").count == 20)
    }
}
