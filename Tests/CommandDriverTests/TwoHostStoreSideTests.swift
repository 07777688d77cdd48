@testable import CommandDriver
import Foundation
@testable import MailboxDriver
import MailshiftTestSupport
import Steps
import SystemCalls
import Testing

/// The store agent's own checks, fed frames through a pipe as a relay would: what it trusts of a
/// stream (nothing it did not count), how it keeps and runs a command store's copy, and the
/// bounds on its waits. Synchronous: they wait on real processes and pipes.
@Suite struct TwoHostStoreSideTests {
    /// Frames written by `write` into a pipe, read back by a `FrameReader` (small: fits the pipe;
    /// the read end is left to the test process's end, a few descriptors per test).
    static func frames(_ write: (FrameWriter) throws -> Void) throws -> FrameReader {
        var fds: [Int32] = [-1, -1]
        try Descriptor.pipeCloexec(&fds)
        let writer = FrameWriter(fd: fds[1])
        try write(writer)
        try writer.flush()
        close(fds[1])
        return FrameReader(fd: fds[0])
    }

    static func message(_ writer: FrameWriter, offset: Int = 0, headers: String, body: String, claimed: Int? = nil) throws {
        let head = MboxMessageHead(
            offset: offset, from: FromLine(sender: "", date: 1_767_607_200, hadZone: true), flags: MaildirFlags(), index: 0)
        var frame: [UInt8] = []
        MessageHeadCodec.encode(head, into: &frame)
        let h = Array(headers.utf8)
        try frame.withUnsafeBytes { f in try h.withUnsafeBytes { try writer.write(.head, f, $0) } }
        try Array(body.utf8).withUnsafeBytes { try writer.write(.body, $0) }
        MessageHeadCodec.encodeEnd(storedBytes: claimed ?? (h.count + body.utf8.count), endOffset: offset + 100, into: &frame)
        try frame.withUnsafeBytes { try writer.write(.end, $0) }
    }

    static func summary(messages: Int, bytes: Int) -> SourceSummary {
        SourceSummary(
            file: "/var/mail/u", variant: "mboxo", detected: false, source: "1:2:3", edges: "-", messages: messages, bytes: bytes,
            skippedInternal: 0, warningCount: 0, warnings: [])
    }

    static func files(_ maildir: String) -> [String] {
        ["new", "cur"].flatMap { (try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\($0)")) ?? [] }
    }

    @Test(arguments: [Int(Int64.max), 1, 10_000])
    func anEndFrameWhoseSizeIsNotWhatWasRelayedIsRefusedAndNothingIsPublished(claimed: Int) throws {
        let dir = try TemporaryDirectory(prefix: "store-side")
        defer { dir.remove() }
        let maildir = dir.file("u/Maildir")
        let input = try Self.frames { w in
            try Self.message(w, headers: "From: a@example.org\nSubject: honest\n\n", body: "body\n")
            try Self.message(w, offset: 200, headers: "From: b@example.org\nSubject: lies\n\n", body: "body\n", claimed: claimed)
            try w.write(.summary, json: Self.summary(messages: 2, bytes: 400))
        }
        var request = AgentRequest(op: .writeMaildir)
        request.maildir = maildir
        do {
            _ = try StoreSink.writeMaildir(request, from: input)
            Issue.record("a stored size of \(claimed) was believed")
        } catch let f as AgentFailure {
            #expect(f.message.contains("claiming \(claimed) bytes"), "\(f.message)")
        }
        #expect(Self.files(maildir).isEmpty, "nothing published: \(Self.files(maildir))")
    }

    @Test func anHonestStreamStillWritesItsSizesIntoTheNames() throws {
        let dir = try TemporaryDirectory(prefix: "store-side")
        defer { dir.remove() }
        let maildir = dir.file("u/Maildir")
        let headers = "From: a@example.org\nSubject: honest\n\n"
        let input = try Self.frames { w in
            try Self.message(w, headers: headers, body: "body\n")
            try w.write(.summary, json: Self.summary(messages: 1, bytes: 100))
        }
        var request = AgentRequest(op: .writeMaildir)
        request.maildir = maildir
        let report = try StoreSink.writeMaildir(request, from: input)
        #expect(report.imported == 1)
        #expect(Self.files(maildir).first?.contains(",S=\(headers.utf8.count + 5)") == true, "\(Self.files(maildir))")
    }

    @Test func theImportArgvNamesTheCopyWhereverTheMailboxPathIsAWholeName() {
        let (path, copy) = ("/var/mail/u", "/tmp/mailshift-import-Ab12Cd/u")
        let cases: [(String, String)] = [
            ("/var/mail/u", copy),
            ("mbox:/var/mail/u", "mbox:" + copy),
            ("--file=/var/mail/u", "--file=" + copy),
            ("{mbox}", copy),
            ("--in={mbox},ro", "--in=\(copy),ro"),
            ("/var/mail/uu", "/var/mail/uu"),
            ("/var/mail/u.lock", "/var/mail/u.lock"),
            ("/srv/var/mail/u", "/srv/var/mail/u"),
            ("$(rm -rf /)/var/mail/u", "$(rm -rf /)" + copy),
        ]
        for (argument, expected) in cases {
            #expect(MailboxPathRewrite.rewrite(argument, path: path, with: copy) == expected, "\(argument)")
        }
    }

    /// The copy as the site's import command sees it: owned by the mailbox's owner, readable by
    /// that user after dropping privileges, in a 0711 directory; gone afterwards.
    @Test(.enabled(if: geteuid() == 0, "needs root to give the copy away"))
    func theCopyBelongsToTheMailboxOwnerAndIsRemovedAfterwards() throws {
        let parent = try TemporaryDirectory(prefix: "copies")
        defer { parent.remove() }
        let mail = "From a@example.org Mon Jan  5 10:00:00 2026\nSubject: x\n\nhello\n\n"
        let input = try Self.frames { w in
            try Array(mail.utf8).withUnsafeBytes { try w.write(.body, $0) }
            try w.write(.summary, json: Self.summary(messages: 0, bytes: mail.utf8.count))
        }
        var request = AgentRequest(op: .importCommand)
        request.mbox = "/var/mail/u"
        request.owner = "nobody"
        let script = #"f=${1#--file=}; stat -c '%U %a' "$f" >&2; stat -c '%a' "$(dirname "$f")" >&2; setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$f" >&2"#
        request.argv = ["sh", "-c", script, "sh", "--file=/var/mail/u"]
        let report = try StoreCommandImport.run(request, from: input, copyParent: parent.path)
        #expect(report.status == 0, "\(report.stderrTail)")
        #expect(report.stderrTail == "nobody 600\n711\n" + mail, "\(report.stderrTail)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty, "the copy and its directory are gone")
    }

    @Test func anImportCommandThatOutlivesItsTimeoutIsKilledAndTheCopyRemoved() throws {
        let parent = try TemporaryDirectory(prefix: "copies")
        defer { parent.remove() }
        let input = try Self.frames { w in try w.write(.summary, json: Self.summary(messages: 0, bytes: 0)) }
        var request = AgentRequest(op: .importCommand)
        (request.mbox, request.argv, request.timeout) = ("/var/mail/u", ["sleep", "60"], 1)
        let started = Date()
        do {
            _ = try StoreCommandImport.run(request, from: input, copyParent: parent.path)
            Issue.record("a command past its timeout was waited out")
        } catch let f as AgentFailure {
            #expect(f.message.contains("timed out after"), "\(f.message)")
        }
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty, "the copy is removed on failure too")
    }

    /// The orchestrator gone (its session killed) while the site's import command runs: the agent
    /// sees its stdout's reader close and ends the command instead of waiting out its timeout.
    @Test func anImportCommandEndsWhenTheOrchestratorIsGone() throws {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        try Descriptor.pipeCloexec(&input)
        try Descriptor.pipeCloexec(&output)
        var request = AgentRequest(op: .importCommand)
        (request.mbox, request.argv) = ("/var/mail/orchestrator-gone-test", ["sleep", "60"])
        try JSONLine.write(input[1], request)
        let writer = FrameWriter(fd: input[1])
        try writer.write(.summary, json: Self.summary(messages: 0, bytes: 0))
        try writer.flush()
        close(input[1])
        let done = DispatchSemaphore(value: 0)
        let (agentIn, agentOut) = (input[0], output[1])
        Thread {
            _ = AgentServer.serve(input: agentIn, output: agentOut, version: "test")
            done.signal()
        }.start()
        #expect(try JSONLine.read(output[0], within: 10, cancel: nil) != nil, "the hello")
        usleep(300_000)  // the command is running
        let gone = Date()
        close(output[0])
        #expect(done.wait(timeout: .now() + 10) == .success, "the agent returned")
        #expect(Date().timeIntervalSince(gone) < 6, "the command was ended, not waited out")
        let copies = (try FileManager.default.contentsOfDirectory(atPath: "/tmp")).filter {
            $0.hasPrefix("mailshift-import-") && FileManager.default.fileExists(atPath: "/tmp/\($0)/orchestrator-gone-test")
        }
        #expect(copies.isEmpty, "the copy was removed: \(copies)")
        close(agentIn)
        close(agentOut)
    }

    @Test func aFailedStreamRunsNothingAndLeavesNoCopy() throws {
        let parent = try TemporaryDirectory(prefix: "copies")
        defer { parent.remove() }
        let marker = parent.file("ran")
        let input = try Self.frames { w in try Array("partial".utf8).withUnsafeBytes { try w.write(.body, $0) } }
        var request = AgentRequest(op: .importCommand)
        (request.mbox, request.argv) = ("/var/mail/u", ["touch", marker])
        #expect(throws: AgentFailure.self) { try StoreCommandImport.run(request, from: input, copyParent: parent.path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
    }

    @Test func aVerifyAnswerCarriesTheTrueExtraCountAndTheFailureSaysIt() throws {
        let dir = try TemporaryDirectory(prefix: "store-side")
        defer { dir.remove() }
        let maildir = dir.file("u/Maildir")
        for sub in ["new", "cur", "tmp"] { try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        for i in 0..<1_003 { try Data("x\n".utf8).write(to: URL(fileURLWithPath: "\(maildir)/new/1767607200.Mm\(i)-abc_0123456789abcdef.mailshift,S=2")) }
        let input = try Self.frames { w in try w.write(.summary, json: Self.summary(messages: 0, bytes: 0)) }
        var request = AgentRequest(op: .verifyMaildir)
        (request.maildir, request.mode) = (maildir, "count")
        let report = try StoreSink.verifyMaildir(request, from: input)
        #expect(report.extra.count == 1_000)
        #expect(report.extraCount == 1_003)
        let failure = VerifyFailure(
            file: "/var/mail/u", missing: report.missing, extra: report.extra, missingCount: report.missingCount, extraCount: report.extraCount)
        #expect(failure.summary.hasPrefix("/var/mail/u: verify failed: 0 missing, 1,003 extra (first 1,000 listed)"), "\(failure.summary)")
    }

    @Test func heldMessagesBecomeOneMboxrdFile() {
        let own = HeldMessage.mboxrd(Array("From x@example.org Mon Jan  5 10:00:00 2026\nSubject: a\n\nFrom here on\n>From there".utf8), mtime: 0)
        #expect(String(decoding: own, as: UTF8.self) == "From x@example.org Mon Jan  5 10:00:00 2026\nSubject: a\n\n>From here on\n>>From there\n\n")
        let made = HeldMessage.mboxrd(Array("Subject: b\n\nbody\n".utf8), mtime: 1_767_607_200)
        #expect(String(decoding: made, as: UTF8.self) == "From MAILER-DAEMON Mon Jan  5 10:00:00 2026\nSubject: b\n\nbody\n\n")
    }

    /// A session whose agent never says hello: the wait ends at the handshake timeout, or at
    /// once when the run is cancelled, instead of hanging the step.
    @Test(arguments: [false, true])
    func aSilentAgentEndsTheHandshakeAtItsDeadlineOrOnCancel(cancelled: Bool) throws {
        let host = HostEndpoint(name: "store", address: "store.example.org", connect: .local)
        let session = try AgentSession.inProcess(host: host) { input, _ in
            var byte: UInt8 = 0
            while read(input, &byte, 1) > 0 {}
            return 0
        }
        session.handshakeTimeout = cancelled ? 60 : 1
        let cancel = CancelFlag()
        if cancelled { DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancel.raise() } }
        let started = Date()
        do {
            try CrossHostTransfer.handshake(session, version: nil, cancel: cancel)
            Issue.record("a silent agent passed the handshake")
        } catch is CancellationError {
            #expect(cancelled)
        } catch let e as TwoHostFailure {
            #expect(!cancelled)
            #expect(e.summary.contains("store: no hello from the mailshift agent within 1 s"), "\(e.summary)")
        }
        #expect(Date().timeIntervalSince(started) < 5)
        session.terminate()
        #expect(session.finish(timeout: 5) == 0)
    }
}
