import Foundation
import MailboxDriver
import MailshiftTestSupport
import Testing

/// The writer's visibility rule, for both ways of staging (unnamed inodes, `tmp/` files): nothing
/// appears in `new/` or `cur/` before its batch is published, nothing visible is left by an
/// abandoned batch, and large and many batches all land, once.
@Suite struct MaildirWriterTests {
    static let stagings: [MaildirWriter.Staging] = [.automatic, .temporaryFiles]

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

    @Test(arguments: stagings) func invisibleUntilCommitThenEveryMessageOnce(staging: MaildirWriter.Staging) throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        let writer = try MaildirWriter(root: root, batchMessages: 10_000, staging: staging)
        #expect(writer.stagesUnnamed == (staging == .automatic), "this test machine's file system has O_TMPFILE")
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

    @Test(arguments: stagings) func aLargeBatchAllLands(staging: MaildirWriter.Staging) throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        let writer = try MaildirWriter(root: root, batchMessages: 100_000, staging: staging)
        try write(writer, 700)
        try writer.commit()
        #expect(files(root + "/new").count + files(root + "/cur").count == 700)
        #expect(files(root + "/tmp").isEmpty)
    }

    @Test(arguments: stagings) func anAbandonedBatchLeavesNothing(staging: MaildirWriter.Staging) throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        do {
            let writer = try MaildirWriter(root: root, batchMessages: 10_000, staging: staging)
            try write(writer, 20)
            try writer.begin()  // a message half written when the import stops
        }
        #expect(files(root + "/new").isEmpty && files(root + "/cur").isEmpty)
        // A re-run clears what a stopped writer left in tmp/, then writes them all, once.
        let again = try MaildirWriter(root: root, staging: staging)
        #expect(files(root + "/tmp").isEmpty)
        try write(again, 20)
        try again.commit()
        #expect(files(root + "/new").count + files(root + "/cur").count == 20)
    }

    /// Batches handed to the publisher while the next fills: every message of many batches lands
    /// once, and the writer's final commit waits for all of them.
    @Test(arguments: stagings) func manySmallBatchesAllLandOnce(staging: MaildirWriter.Staging) throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        let writer = try MaildirWriter(root: root, batchMessages: 7, staging: staging)
        try write(writer, 100)
        try writer.commit()
        #expect(files(root + "/new").count + files(root + "/cur").count == 100)
        #expect(files(root + "/tmp").isEmpty)
        // Already there by name: a second writer (a re-run) that writes them again changes nothing.
        let again = try MaildirWriter(root: root, batchMessages: 7, staging: staging)
        #expect(again.existing.count == 100)
    }

    /// Two writers on one file system at once (as parallel imports are): the shared publisher
    /// keeps each writer's messages in its own Maildir.
    @Test func twoWritersShareThePublisher() async throws {
        let dir = try TemporaryDirectory(prefix: "writer")
        defer { dir.remove() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<2 {
                let root = dir.file("Maildir\(w)")
                group.addTask {
                    let writer = try MaildirWriter(root: root, batchMessages: 5)
                    try write(writer, 60 + w)
                    try writer.commit()
                }
            }
            try await group.waitForAll()
        }
        for w in 0..<2 {
            let root = dir.file("Maildir\(w)")
            #expect(files(root + "/new").count + files(root + "/cur").count == 60 + w)
        }
    }
}
