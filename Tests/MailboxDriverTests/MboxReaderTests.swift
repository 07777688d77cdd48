import Foundation
import Lab
import MailboxDriver
import MailshiftTestSupport
import Testing

@Suite struct MboxReaderTests {
    static let variants: [(MboxCorpus.Variant, MboxVariant)] = [
        (.mboxo, .mboxo), (.mboxrd, .mboxrd), (.mboxcl, .mboxcl), (.mboxcl2, .mboxcl2), (.solaris, .solaris),
    ]

    @Test(arguments: variants.map(\.0))
    func roundTripsEveryMessageOfEachVariant(_ v: MboxCorpus.Variant) throws {
        let dir = try TemporaryDirectory(prefix: "mbox-rt")
        defer { dir.remove() }
        let path = dir.file("mbox")
        let manifest = try MboxCorpus.write(
            to: path, options: .init(seed: 7, messages: 60, variant: v, timeZone: TimeZone(identifier: "Europe/Berlin")!))
        // Pinned and detected must both read every message exactly. An mboxo file (`>From `
        // lines, no `>>From `) is ambiguous: refused unless told how to read it.
        if v == .mboxo {
            let failure = try #require(throws: MboxError.self) { try MboxCollector.read(path, .auto, timeZone: "Europe/Berlin") }
            #expect(failure.kind == .ambiguousVariant && failure.file == path)
        }
        for pinned in [MboxVariant(rawValue: v.rawValue)!, .auto] {
            let (c, reader) = try MboxCollector.read(path, pinned, timeZone: "Europe/Berlin", ifAmbiguous: v == .mboxo ? .mboxo : .refuse)
            #expect(reader.variant.rawValue == v.rawValue || pinned != .auto, "detected \(reader.variant) for \(v)")
            #expect(c.items.count == manifest.messages.count)
            for (got, want) in zip(c.items, manifest.messages) {
                #expect(got.sha256 == want.sha256, "message \(want.index) of \(v)\n\(got.text)")
                #expect(got.head.offset == want.offset)
                #expect(got.head.from.date == want.date, "date of message \(want.index)")
                #expect(got.head.flags.letters == want.flags)
                #expect(got.head.flags.inCur == want.inCur)
                #expect(got.storedBytes == want.storedBytes)
            }
            #expect(reader.warningCount == 0, "\(reader.warnings)")
        }
    }

    @Test func crlfFileLastMessageWithoutNewlineAndInternalData() throws {
        let dir = try TemporaryDirectory(prefix: "mbox-crlf")
        defer { dir.remove() }
        for v in [MboxCorpus.Variant.mboxo, .mboxrd] {
            let path = dir.file("mbox-\(v)")
            let manifest = try MboxCorpus.write(
                to: path, options: .init(seed: 3, messages: 20, variant: v, crlf: true, lastWithoutNewline: true, folderInternalData: true))
            let (c, reader) = try MboxCollector.read(path, MboxVariant(rawValue: v.rawValue)!)
            #expect(reader.skippedInternal == 1)
            #expect(c.items.map(\.sha256) == manifest.messages.map(\.sha256))
            #expect(c.items.last?.bytes.last != 0x0A)
        }
    }

    @Test func solarisWrongContentLengthFallsBackWithAWarning() throws {
        let dir = try TemporaryDirectory(prefix: "mbox-cl")
        defer { dir.remove() }
        let path = dir.file("mbox")
        let manifest = try MboxCorpus.write(to: path, options: .init(seed: 11, messages: 40, variant: .solaris, badContentLengthEvery: 5))
        let (c, reader) = try MboxCollector.read(path, .solaris)
        #expect(c.items.map(\.sha256) == manifest.messages.map(\.sha256))
        #expect(reader.warnings.contains { $0.kind == .contentLengthMismatch })
    }

    @Test func emptyFileHasNoMessages() throws {
        let dir = try TemporaryDirectory(prefix: "mbox-empty")
        defer { dir.remove() }
        let path = dir.file("mbox")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let (c, _) = try MboxCollector.read(path)
        #expect(c.items.isEmpty)
    }

    @Test func fromLineForms() throws {
        let utc = TimeZone(identifier: "UTC")!
        func parse(_ s: String, _ tz: TimeZone = TimeZone(identifier: "UTC")!) -> FromLine? {
            Array(s.utf8).withUnsafeBytes { FromLine.parse($0, timeZone: tz) }
        }
        #expect(parse("From alice@example.com Mon Jan  1 00:00:00 2024")?.date == 1_704_067_200)
        #expect(parse("From alice@example.com Mon Jan 1 00:00 2024")?.date == 1_704_067_200)
        #expect(parse("From \"john q. doe\"@example.com Mon Jan  1 01:00:00 +0100 2024")?.date == 1_704_067_200)
        #expect(parse("From \"john q. doe\"@example.com Mon Jan  1 01:00:00 +0100 2024")?.sender == "\"john q. doe\"@example.com")
        #expect(parse("From bob Mon Jan  1 00:00:00 2024 -0500")?.date == 1_704_085_200)
        #expect(parse("From  Mon Jan  1 00:00:00 2024")?.sender == "")
        #expect(parse("From uucp Mon Jan  1 00:00:00 2024 remote from sun")?.date == 1_704_067_200)
        // No zone: read in the given zone (Berlin is UTC+1 in January, +2 in July).
        #expect(parse("From a Mon Jan  1 01:00:00 2024", TimeZone(identifier: "Europe/Berlin")!)?.date == 1_704_067_200)
        #expect(parse("From a Mon Jul  1 02:00:00 2024", TimeZone(identifier: "Europe/Berlin")!)?.date == 1_719_792_000)
        #expect(parse("From the desk of the director", utc) == nil)
        #expect(parse("From: alice", utc) == nil)
    }

    @Test func mboxrdUnescapesOneLevelAndStripsMboxHeaders() throws {
        let dir = try TemporaryDirectory(prefix: "mbox-rd")
        defer { dir.remove() }
        let path = dir.file("mbox")
        let text = """
            From a@b Mon Jan  1 00:00:00 2024
            Subject: x
            Status: RO
            X-Status: AF
            X-UID: 4
            X-Keywords: junk
            X-Other: kept

            >From one
            >>From two
            >not from

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let (c, _) = try MboxCollector.read(path, .mboxrd)
        #expect(c.items.count == 1)
        #expect(c.items[0].text == "Subject: x\nX-Other: kept\n\nFrom one\n>From two\n>not from\n")
        #expect(c.items[0].head.flags.letters == "FRS")
        let (o, _) = try MboxCollector.read(path, .mboxo)
        #expect(o.items[0].text == "Subject: x\nX-Other: kept\n\n>From one\n>>From two\n>not from\n")
    }

    @Test func notAnMboxAndDamagedFilesAreErrorsWithOffsets() throws {
        let dir = try TemporaryDirectory(prefix: "mbox-bad")
        defer { dir.remove() }
        let notMbox = dir.file("notes.txt")
        try Data("Dear diary,\nFrom today on\n".utf8).write(to: URL(fileURLWithPath: notMbox))
        #expect(throws: MboxError(.notMbox, file: notMbox, offset: 0, detail: "the first line is not a From_ line")) {
            _ = try MboxCollector.read(notMbox)
        }
        let damaged = dir.file("damaged")
        var bytes = Array("From a Mon Jan  1 00:00:00 2024\nSubject: x\n\nhello\n".utf8)
        let at = bytes.count
        bytes += [UInt8](repeating: 0, count: 4096)
        try Data(bytes).write(to: URL(fileURLWithPath: damaged))
        do {
            _ = try MboxCollector.read(damaged)
            Issue.record("no error")
        } catch let e as MboxError {
            #expect(e.kind == .binaryData)
            #expect(e.offset == at)
            #expect(e.summary.hasPrefix("\(damaged): byte \(at): binary data"))
        }
    }
}
