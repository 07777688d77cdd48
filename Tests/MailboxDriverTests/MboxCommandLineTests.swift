import Foundation
import Glibc
import Lab
import MailboxDriver
import MailshiftTestSupport
import Testing

/// The `mailshift mbox` commands as real child processes: bounded memory on a 200 MB message,
/// and kill -9 in the middle of an import followed by a re-run.
@Suite struct MboxCommandLineTests {
    @Test func twoHundredMegabyteMessageStreamsInBoundedMemory() throws {
        let bin = try #require(ChildProcess.mailshift, "build the mailshift product first")
        let dir = try TemporaryDirectory(prefix: "mbox-big")
        defer { dir.remove() }
        let path = dir.file("big")
        // One message, 200 MB of base64 lines, written by chunks.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        var chunk = Array("From big@example.com Mon Jan  1 00:00:00 2024\nSubject: big\nStatus: RO\n\n".utf8)
        write(fd, chunk, chunk.count)
        let line = Array(String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0", count: 2).prefix(76).utf8) + [0x0A]
        chunk = Array([[UInt8]](repeating: line, count: (1 << 20) / line.count).joined())
        var total = 0
        while total < 200 << 20 {
            write(fd, chunk, chunk.count)
            total += chunk.count
        }
        close(fd)
        let out = dir.file("inspect.json")
        let r = try ChildProcess.run([bin, "mbox", "inspect", path, "--format", "json", "--timezone", "UTC"], stdout: out)
        #expect(r.status == 0)
        let reports = try JSONDecoder().decode([MboxInspection].self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(reports.first?.messages == 1)
        #expect(reports.first?.bytes ?? 0 > 200 << 20)
        #expect(r.maxRSSKB < 64 * 1024, "peak RSS \(r.maxRSSKB) KB reading a 200 MB message")
        // Importing streams too (40 MB here: a debug build digests slowly; the path is the same).
        truncate(path, off_t(40 << 20))
        let imp = try ChildProcess.run([bin, "mbox", "import", path, "--maildir", dir.file("Maildir"), "--timezone", "UTC"])
        #expect(imp.status == 0)
        #expect(imp.maxRSSKB < 64 * 1024, "peak RSS \(imp.maxRSSKB) KB importing a 40 MB message")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.file("Maildir/cur"))
        #expect(files.count == 1)
        let size = try FileManager.default.attributesOfItem(atPath: dir.file("Maildir/cur/\(files[0])"))[.size] as? Int
        #expect(size == (40 << 20) - 57)  // less the From_ line and the Status header
    }

    @Test func killNineDuringImportThenRerunGivesTheExactSet() throws {
        let bin = try #require(ChildProcess.mailshift, "build the mailshift product first")
        let dir = try TemporaryDirectory(prefix: "mbox-kill")
        defer { dir.remove() }
        let mbox = dir.file("dave")
        let manifest = try MboxCorpus.write(
            to: mbox, options: .init(seed: 99, messages: 300, variant: .solaris, largeMessages: 3, largeBytes: 2 << 20))
        let maildir = dir.file("Maildir")
        var killedMidway = false
        for attempt in 0..<3 {
            let pid = try ChildProcess.spawn([
                bin, "mbox", "import", mbox, "--maildir", maildir, "--variant", "solaris", "--timezone", "UTC", "--batch-messages", "20",
            ])
            // Let it make part of the mailbox durable, then kill it without warning (mid-message:
            // it is always writing one into tmp/ by then).
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let n = ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/cur").count) ?? 0)
                    + ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new").count) ?? 0)
                if n >= 20 + attempt * 60 { break }
                usleep(1000)
            }
            kill(pid, SIGKILL)
            let r = ChildProcess.wait(pid)
            if r.status == 128 + SIGKILL { killedMidway = true }
        }
        #expect(killedMidway)
        let written = try MaildirCheck.contents(maildir)
        #expect(written.count < manifest.messages.count, "the kills should have interrupted the import")
        #expect(Set(written.map(\.sha256)).count == written.count, "no duplicates after kills")
        let r = try ChildProcess.run([bin, "mbox", "import", mbox, "--maildir", maildir, "--variant", "solaris", "--timezone", "UTC"])
        #expect(r.status == 0)
        try MaildirCheck.expectExact(maildir, manifest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/tmp").isEmpty)
        let v = try MailboxVerify.run(file: mbox, maildir: maildir, variant: .solaris, timeZone: TimeZone(identifier: "UTC")!, mode: .digest)
        #expect(v.passed, "\(v.missing) \(v.extra)")
    }
}

extension MboxCommandLineTests {
    /// The agent side of retire: refuses a changed file, archives an unchanged one, is idempotent.
    @Test func retireCommandChecksTheVerifiedIdentity() throws {
        let bin = try #require(ChildProcess.mailshift, "build the mailshift product first")
        let dir = try TemporaryDirectory(prefix: "mbox-retire")
        defer { dir.remove() }
        let mbox = dir.file("erin")
        _ = try MboxCorpus.write(to: mbox, options: .init(seed: 4, messages: 5, variant: .mboxo))
        let identity = try #require(SourceIdentity.of(mbox)).description
        let archive = dir.file("archive/erin")
        let wrong = try ChildProcess.run([bin, "mbox", "retire", mbox, "--mode", "archive", "--archive-to", archive, "--expect", "1:2:3"])
        #expect(wrong.status == 1)
        #expect(FileManager.default.fileExists(atPath: mbox))
        let out = dir.file("retire.json")
        let ok = try ChildProcess.run([bin, "mbox", "retire", mbox, "--mode", "archive", "--archive-to", archive, "--expect", identity, "--format", "json"], stdout: out)
        #expect(ok.status == 0)
        let result = try JSONDecoder().decode(SourceRetire.Result.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(result.acted && result.archivedTo == archive)
        #expect(!FileManager.default.fileExists(atPath: mbox) && FileManager.default.fileExists(atPath: archive))
        let again = try ChildProcess.run([bin, "mbox", "retire", mbox, "--mode", "archive", "--archive-to", archive, "--expect", identity])
        #expect(again.status == 0)
    }
}

extension MboxCommandLineTests {
    /// Unnamed staging keeps a batch's files open; with few descriptors allowed (an
    /// administrator's `ulimit -n 32`) the import publishes early instead of failing.
    @Test func aLowDescriptorLimitStillImportsEveryMessage() throws {
        let bin = try #require(ChildProcess.mailshift, "build the mailshift product first")
        let prlimit = "/usr/bin/prlimit"
        try #require(FileManager.default.isExecutableFile(atPath: prlimit), "util-linux's prlimit")
        let dir = try TemporaryDirectory(prefix: "mbox-nofile")
        defer { dir.remove() }
        let mbox = dir.file("frank")
        let manifest = try MboxCorpus.write(to: mbox, options: .init(seed: 5, messages: 200, variant: .mboxrd))
        let maildir = dir.file("Maildir")
        let r = try ChildProcess.run([
            prlimit, "--nofile=32", bin, "mbox", "import", mbox, "--maildir", maildir, "--timezone", "UTC", "--batch-messages", "1000",
        ])
        #expect(r.status == 0)
        try MaildirCheck.expectExact(maildir, manifest)
    }
}
