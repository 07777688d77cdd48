import Foundation
import Glibc
@testable import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// Mailboxes and Maildirs shaped by someone hostile: a sender chooses every header (one absurd
/// Content-Length must not stop a user's migration), and whoever can write a Maildir can plant
/// FIFOs and links where verify reads. Sizes stay small; the large figures are `mailshift-bench
/// hostile`'s.
@Suite struct HostileContentTests {
    static let date = "Mon Jan  1 00:00:00 2024"

    /// Content-Length values no sender should be trusted with: at and past `Int`'s range,
    /// negative, not numbers.
    static let hostileLengths = [
        "9223372036854775807", "9223372036854775806", "9223372036854775808", "18446744073709551615",
        "99999999999999999999999999999999", "+9223372036854775807", "-1", "-9223372036854775808", "abc", "",
        "0x7fffffffffffffff", "1e18", "12 34",
    ]

    static let variants: [MboxVariant] = [.auto, .mboxo, .mboxrd, .mboxcl, .mboxcl2, .solaris]

    /// Three messages; the one at `hostileAt` carries `Content-Length: <value>` (its last header,
    /// Solaris style), the others a correct one when `correctLengths`.
    static func mailbox(hostile value: String?, hostileAt: Int = 1, correctLengths: Bool) -> String {
        var s = ""
        for i in 0..<3 {
            let body = "body \(i)\nsecond line of \(i)\n"
            s += "From sender\(i)@example.org \(date)\nFrom: sender\(i)@example.org\nSubject: message \(i)\n"
            if i == hostileAt, let value {
                s += "Content-Length: \(value)\n"
            } else if correctLengths {
                s += "Content-Length: \(body.utf8.count)\n"
            }
            s += "\n" + body + "\n"
        }
        return s
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    // MARK: Content-Length

    /// The reader, pinned to each variant or detecting it: every hostile length reads the three
    /// messages exactly as the same mailbox without that header, with a warning where the
    /// variant uses Content-Length, and never traps.
    @Test(arguments: variants)
    func hostileContentLengthReadsLikeNoContentLength(_ variant: MboxVariant) throws {
        let dir = try TemporaryDirectory(prefix: "hostile-cl")
        defer { dir.remove() }
        for correct in [false, true] {
            let plain = dir.file("plain")
            try Self.write(Self.mailbox(hostile: nil, correctLengths: correct), to: plain)
            let (want, _) = try MboxCollector.read(plain, variant)
            #expect(want.items.count == 3)
            for (k, value) in Self.hostileLengths.enumerated() {
                for at in 0..<3 {
                    let path = dir.file("mbox-\(k)-\(at)-\(correct)")
                    try Self.write(Self.mailbox(hostile: value, hostileAt: at, correctLengths: correct), to: path)
                    let (got, reader) = try MboxCollector.read(path, variant)
                    #expect(got.items.map(\.sha256) == want.items.map(\.sha256), "Content-Length: \(value) in message \(at), \(variant)")
                    let numeric = !value.isEmpty && value.drop(while: { $0 == "+" }).allSatisfy { $0 >= "0" && $0 <= "9" }
                    if reader.variant.usesContentLength && numeric {
                        #expect(reader.warnings.contains { $0.kind == .contentLengthMismatch }, "\(value) \(variant)")
                    }
                }
            }
        }
    }

    /// A length one byte past the end of file, and one that lands inside the next message: both
    /// wrong, both read by From_ lines.
    @Test(arguments: [MboxVariant.mboxcl, .mboxcl2, .solaris, .auto])
    func lengthPastTheEndFallsBackToFromLines(_ variant: MboxVariant) throws {
        let dir = try TemporaryDirectory(prefix: "hostile-cl-end")
        defer { dir.remove() }
        let plain = dir.file("plain")
        try Self.write(Self.mailbox(hostile: nil, correctLengths: true), to: plain)
        let (want, _) = try MboxCollector.read(plain, variant)
        let size = Self.mailbox(hostile: "0", hostileAt: 2, correctLengths: true).utf8.count
        // Past the end of file from the last message; inside the next message's From_ line.
        for (at, value) in [(2, size), (2, size + 1), (2, Int.max - 1), (1, 30)] {
            let path = dir.file("mbox-\(at)-\(value)")
            try Self.write(Self.mailbox(hostile: String(value), hostileAt: at, correctLengths: true), to: path)
            let (got, reader) = try MboxCollector.read(path, variant)
            #expect(got.items.map(\.sha256) == want.items.map(\.sha256), "Content-Length: \(value) in message \(at)")
            #expect(reader.warnings.contains { $0.kind == .contentLengthMismatch })
        }
    }

    /// The sniffer alone, on samples and file sizes chosen so that every sum with the length
    /// would overflow: no trap, and a detection (From_ lines decide).
    @Test func snifferSurvivesEveryHostileLength() {
        let utc = TimeZone(identifier: "UTC")!
        for value in Self.hostileLengths {
            for at in 0..<3 {
                let sample = Array(Self.mailbox(hostile: value, hostileAt: at, correctLengths: false).utf8)
                for fileSize in [sample.count, sample.count + 1, Int.max] {
                    let v = MboxSniffer.classify(sample, fileSize: fileSize, timeZone: utc)
                    #expect(v == .mboxo, "Content-Length: \(value), file size \(fileSize)")
                }
            }
        }
        #expect(MboxSniffer.landing([], fileSize: Int.max, bodyStart: 10, length: Int.max) == nil)
        #expect(MboxSniffer.landing([], fileSize: 100, bodyStart: 10, length: 90) == 100)
    }

    /// One header section of 150,000 Content-Length headers: judged once where the section ends,
    /// not once per header (which rescanned the section each time: hours on a 4 MB sample).
    @Test func manyContentLengthHeadersAreJudgedOnce() async throws {
        var text = "From a@example.org \(Self.date)\n"
        text += String(repeating: "Content-Length: 5\n", count: 150_000)
        text += "\nbody\n"
        let sample = Array(text.utf8)
        let v = try await Timeout.run(seconds: 30) {
            MboxSniffer.classify(sample, fileSize: sample.count, timeZone: TimeZone(identifier: "UTC")!)
        }
        #expect(v == .solaris)
    }

    /// The import: every variant and hostile length imports the three messages (verified by
    /// digest), and a re-run finds them all.
    @Test(arguments: variants)
    func hostileContentLengthImportsEveryMessage(_ variant: MboxVariant) throws {
        let dir = try TemporaryDirectory(prefix: "hostile-import")
        defer { dir.remove() }
        for (k, value) in Self.hostileLengths.enumerated() {
            let mbox = dir.file("mbox-\(k)")
            let maildir = dir.file("Maildir-\(k)")
            try Self.write(Self.mailbox(hostile: value, hostileAt: k % 3, correctLengths: variant.usesContentLength), to: mbox)
            var options = MboxImportOptions(variant: variant)
            options.batchMessages = 2
            let report = try MboxImport.run(file: mbox, maildir: maildir, options: options)
            #expect(report.messages == 3 && report.imported == 3, "Content-Length: \(value), \(variant)")
            let again = try MboxImport.run(file: mbox, maildir: maildir, options: options)
            #expect(again.imported == 0 && again.present == 3)
            #expect(again.digestSummary == report.digestSummary)
            let verify = try MailboxVerify.run(
                file: mbox, maildir: maildir, variant: MboxVariant(rawValue: report.variant)!, timeZone: TimeZone(identifier: "UTC")!,
                mode: .digest)
            #expect(verify.passed, "\(verify.missing) \(verify.extra)")
        }
    }

    /// A spool file whose owner set its mtime past 2262 (nanoseconds overflow 64 bits).
    @Test func farFutureModificationTimeDoesNotTrap() throws {
        let dir = try TemporaryDirectory(prefix: "hostile-mtime")
        defer { dir.remove() }
        let mbox = dir.file("mbox")
        try Self.write(Self.mailbox(hostile: nil, correctLengths: false), to: mbox)
        var times = [timespec(tv_sec: 14_000_000_000, tv_nsec: 0), timespec(tv_sec: 14_000_000_000, tv_nsec: 999_999_999)]
        let set = utimensat(AT_FDCWD, mbox, &times, 0) == 0
        let identity = SourceIdentity.of(mbox)
        #expect(identity != nil)
        let (c, reader) = try MboxCollector.read(mbox)
        #expect(c.items.count == 3)
        #expect(reader.identity.description == identity?.description)
        if set { #expect(identity?.mtimeNanos != 0) }
    }

    // MARK: verify and planted entries

    /// Two messages: the first goes to `cur/` (Status: RO), the second to `new/`.
    static func imported(_ dir: TemporaryDirectory) throws -> (mbox: String, maildir: String) {
        let mbox = dir.file("mbox")
        let maildir = dir.file("Maildir")
        try Self.write(
            "From a@example.org \(date)\nSubject: seen\nStatus: RO\n\nread already\n\n"
                + "From b@example.org \(date)\nSubject: unseen\n\nnot read yet\n\n", to: mbox)
        let report = try MboxImport.run(file: mbox, maildir: maildir, options: MboxImportOptions(variant: .mboxo))
        #expect(report.imported == 2)
        return (mbox, maildir)
    }

    enum Plant: String, CaseIterable { case fifo, linkToDevZero }

    static func plant(_ plant: Plant, at path: String) {
        unlink(path)
        switch plant {
        case .fifo: #expect(mkfifo(path, 0o600) == 0)
        case .linkToDevZero: #expect(symlink("/dev/zero", path) == 0)
        }
    }

    /// A FIFO or a link to `/dev/zero` under a message's name in `cur/` or `new/`: verify
    /// (digest) returns in bounded time, failed, naming the entry; count mode never opens it.
    @Test(arguments: Plant.allCases, ["cur", "new"])
    func plantedEntryFailsVerifyInsteadOfHanging(_ plant: Plant, _ sub: String) async throws {
        let dir = try TemporaryDirectory(prefix: "hostile-plant")
        defer { dir.remove() }
        let (mbox, maildir) = try Self.imported(dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\(sub)")
        #expect(names.count == 1)
        let victim = try #require(names.first)
        Self.plant(plant, at: "\(maildir)/\(sub)/\(victim)")
        let report = try await Timeout.run(seconds: 20) {
            try MailboxVerify.run(file: mbox, maildir: maildir, variant: .mboxo, timeZone: TimeZone(identifier: "UTC")!, mode: .digest)
        }
        #expect(!report.passed)
        #expect(report.missing.count == 1)
        let kind = plant == .fifo ? "FIFO" : "symbolic link"
        #expect(report.extra == ["\(sub)/\(victim) (\(kind), not a regular file)"])
        let failure = VerifyFailure(file: mbox, missing: report.missing, extra: report.extra)
        #expect(failure.summary.contains(victim))
        // The single-file entry point refuses it too, with an error naming the file.
        await #expect(throws: MboxError.self) {
            try await Timeout.run(seconds: 20) { try MailboxVerify.digestOfFile("\(maildir)/\(sub)/\(victim)") }
        }
    }

    /// A FIFO in place of the mailbox itself: refused with an error naming it, with or without
    /// the spool lock, instead of waiting for a writer that never comes.
    @Test func fifoInPlaceOfTheMailboxIsRefused() async throws {
        let dir = try TemporaryDirectory(prefix: "hostile-fifo-source")
        defer { dir.remove() }
        let mbox = dir.file("alice")
        #expect(mkfifo(mbox, 0o600) == 0)
        // Refused as a step failure naming the file (whichever layer notices first: the safe
        // opener or the reader), never a hang.
        func expectRefusal(_ body: @escaping @Sendable () throws -> Void) async {
            let error = await #expect(throws: (any Error).self) { try await Timeout.run(seconds: 20) { try body() } }
            let failure = error as? any StepFailure
            #expect(failure?.summary.contains(mbox) == true && failure?.summary.contains("regular file") == true, "\(String(describing: error))")
        }
        for lock in [false, true] {
            await expectRefusal {
                _ = try MboxImport.run(file: mbox, maildir: dir.file("Maildir"), options: MboxImportOptions(lock: lock, lockTimeout: 2))
            }
        }
        await expectRefusal {
            _ = try MailboxVerify.run(file: mbox, maildir: dir.file("Maildir"), variant: .auto, timeZone: TimeZone(identifier: "UTC")!, mode: .count)
        }
    }

    // MARK: identical messages

    static func identical(_ n: Int) -> String {
        String(repeating: "From spam@example.org \(date)\nSubject: offer\nMessage-ID: <same@example.org>\n\nBuy now.\n\n", count: n)
    }

    /// Copies count: three identical messages in the source and two in the store is one missing,
    /// two in the source and three in the store one extra, in both modes.
    @Test func identicalMessagesAreCountedNotMerged() throws {
        let dir = try TemporaryDirectory(prefix: "hostile-same")
        defer { dir.remove() }
        let three = dir.file("three")
        let two = dir.file("two")
        let maildir = dir.file("Maildir")
        try Self.write(Self.identical(3), to: three)
        try Self.write(Self.identical(2), to: two)
        let utc = TimeZone(identifier: "UTC")!
        #expect(try MboxImport.run(file: three, maildir: maildir, options: MboxImportOptions(variant: .mboxo)).imported == 3)
        for mode in [MailboxVerify.Mode.count, .digest] {
            #expect(try MailboxVerify.run(file: three, maildir: maildir, variant: .mboxo, timeZone: utc, mode: mode).passed)
            let extra = try MailboxVerify.run(file: two, maildir: maildir, variant: .mboxo, timeZone: utc, mode: mode)
            #expect(!extra.passed && extra.missing.isEmpty && extra.extra.count == 1, "\(mode)")
        }
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").sorted().first)
        unlink("\(maildir)/new/\(victim)")
        for mode in [MailboxVerify.Mode.count, .digest] {
            let r = try MailboxVerify.run(file: three, maildir: maildir, variant: .mboxo, timeZone: utc, mode: mode)
            #expect(!r.passed && r.missing.count == 1 && r.extra.isEmpty, "\(mode): \(r.missing) \(r.extra)")
        }
    }

    /// Thousands of identical copies verify whole, and one gone is exactly one missing.
    @Test func manyIdenticalMessagesVerify() throws {
        let dir = try TemporaryDirectory(prefix: "hostile-many")
        defer { dir.remove() }
        let mbox = dir.file("mbox")
        let maildir = dir.file("Maildir")
        try Self.write(Self.identical(3000), to: mbox)
        let utc = TimeZone(identifier: "UTC")!
        #expect(try MboxImport.run(file: mbox, maildir: maildir, options: MboxImportOptions(variant: .mboxo)).imported == 3000)
        #expect(try MailboxVerify.run(file: mbox, maildir: maildir, variant: .mboxo, timeZone: utc, mode: .digest).passed)
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").first)
        unlink("\(maildir)/new/\(victim)")
        let r = try MailboxVerify.run(file: mbox, maildir: maildir, variant: .mboxo, timeZone: utc, mode: .digest)
        #expect(!r.passed && r.missing.count == 1 && r.extra.isEmpty)
    }

    // MARK: the compact index of what a Maildir holds

    /// Tags found by their hash, keys read back exactly (16 hex packed, anything else kept as
    /// text), and message keys found for deduplication.
    @Test func presenceFindsEveryNameAndKeyExactly() throws {
        let dir = try TemporaryDirectory(prefix: "hostile-presence")
        defer { dir.remove() }
        let root = dir.file("Maildir")
        for sub in ["", "/new", "/cur", "/tmp"] { mkdir(root + sub, 0o700) }
        var names: [MaildirName] = []
        for i in 0..<500 {
            let key = i == 7 ? "0123456789abcdef01234567" : MessageKeyText.unpack(UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
            let flags = i % 2 == 0 ? MaildirFlags() : MaildirFlags(letters: "S", old: true)
            names.append(MaildirName(date: 1_700_000_000, tag: "m\(i * 100)-abcdef01", digest: key, size: 10, flags: flags))
        }
        for n in names { #expect(FileManager.default.createFile(atPath: "\(root)/\(n.subdirectory)/\(n.fileName)", contents: Data())) }
        #expect(FileManager.default.createFile(atPath: "\(root)/new/not-ours", contents: Data()))
        let presence = MaildirPresence(scanning: root)
        #expect(presence.count == 500)
        #expect(MemoryLayout<MaildirPresence.Entry>.stride == 20)
        let keys = presence.messageKeys()
        for n in names {
            #expect(presence.contains(tag: n.tag))
            #expect(presence.key(ofTag: n.tag) == n.digest)
            #expect(keys.contains(n.digest))
        }
        #expect(!presence.contains(tag: "m1-abcdef01"))
        #expect(!keys.contains("ffffffffffffffff"))
        #expect(!MaildirPresence(scanning: dir.file("absent")).contains(tag: names[0].tag))
    }

    @Test func heapSortSorts() {
        var a = (0..<1000).map { ($0 * 7919) % 1009 }
        InPlaceSort.heapSort(&a, by: <)
        #expect(a == a.sorted())
    }
}

/// Runs blocking work on a thread of its own and gives up waiting after `seconds`: a test of
/// "does not hang" must fail, not hang, when it does (the stuck thread is left behind).
enum Timeout {
    struct Expired: Error {}

    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func claim() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if done { return false }
            done = true
            return true
        }
    }

    static func run<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let once = Once()
            Thread.detachNewThread {
                let result = Result { try work() }
                if once.claim() { continuation.resume(with: result) }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if once.claim() { continuation.resume(throwing: Expired()) }
            }
        }
    }
}
