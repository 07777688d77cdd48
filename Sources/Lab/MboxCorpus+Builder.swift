import Foundation
import Glibc

/// SplitMix64: small, fast, and the same on every platform (the corpus must be reproducible).
struct CorpusRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func chance(_ oneIn: Int) -> Bool { oneIn > 0 && below(oneIn) == 0 }
}

/// Builds one message at a time: the bytes for the mbox file and the bytes a Maildir must hold.
struct CorpusMessageBuilder {
    let options: MboxCorpus.Options
    var rng: CorpusRandom
    let textLines: [[UInt8]]
    let base64Lines: [[UInt8]]
    static let words = ["mail", "server", "move", "the", "report", "from", "meeting", "Friday", "budget", "is", "ready",
        "please", "see", "attached", "and", "reply", "before", "noon", "thanks", "regards", "quarterly", "numbers",
        "will", "follow", "in", "a", "separate", "note", "übermorgen", "café"]
    static let senders = ["alice@example.com", "bob@example.org", "\"carol smith\"@example.net", "MAILER-DAEMON",
        "dave@sub.example.com", "erin@example.com"]

    init(options: MboxCorpus.Options) {
        self.options = options
        var r = CorpusRandom(state: options.seed)
        var text: [[UInt8]] = []
        for _ in 0..<1024 {
            var line = ""
            for _ in 0..<(3 + r.below(12)) { line += Self.words[r.below(Self.words.count)] + " " }
            text.append(Array(line.dropLast().utf8))
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var b64: [[UInt8]] = []
        for _ in 0..<256 { b64.append((0..<76).map { _ in alphabet[r.below(64)] }) }
        self.textLines = text
        self.base64Lines = b64
        self.rng = r
    }

    struct Built {
        var file: [UInt8]
        var stored: [UInt8]
        var date: Int
        var flags: String
        var inCur: Bool
    }

    var nl: [UInt8] { options.crlf ? [13, 10] : [10] }

    mutating func fromLine(_ sender: String, _ date: Int) -> [UInt8] {
        let tz = options.timeZone
        if options.variant != .solaris && rng.chance(5) {
            let offsets = [3600, -18000, 19800, 0]
            let off = offsets[rng.below(offsets.count)]
            let sign = off < 0 ? "-" : "+"
            let hhmm = String(format: "%02d%02d", abs(off) / 3600, abs(off) / 60 % 60)
            let parts = ctime(date, offset: off).split(separator: " ", omittingEmptySubsequences: false)
            // Www Mmm dd hh:mm:ss +zzzz yyyy (zone before the year, as some MTAs write it).
            let head = parts.dropLast().joined(separator: " ")
            return Array("From \(sender) \(head) \(sign)\(hhmm) \(parts.last!)".utf8)
        }
        return Array("From \(sender) \(ctime(date, offset: tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(date)))))".utf8)
    }

    func ctime(_ t: Int, offset: Int) -> String {
        var tt = time_t(t + offset)
        var tmv = tm()
        gmtime_r(&tt, &tmv)
        let wd = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][Int(tmv.tm_wday)]
        let mo = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Int(tmv.tm_mon)]
        return String(format: "%@ %@ %2d %02d:%02d:%02d %d", wd, mo, tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec, tmv.tm_year + 1900)
    }

    mutating func message(_ i: Int, last: Bool) -> Built {
        let date = 1_546_300_800 + i * 3571 + rng.below(3000)
        let sender = Self.senders[rng.below(Self.senders.count)]
        let v = options.variant
        var kept: [[UInt8]] = [
            Array("Return-Path: <\(sender.replacingOccurrences(of: "\"", with: ""))>".utf8),
            Array("From: \(sender)".utf8),
            Array("To: user\(i % 7)@example.com".utf8),
            Array("Subject: message \(i) of the corpus".utf8),
            Array("Date: \(ctime(date, offset: 0)) +0000".utf8),
            Array("Message-ID: <\(options.seed).\(i)@corpus.example>".utf8),
        ]
        if rng.chance(4) { kept.append(Array("Received: from relay.example.com by mx.example.com;".utf8)); kept.append(Array("\tMon, 1 Jan 2024 00:00:00 +0000".utf8)) }
        // Body lines, original (as the sender wrote them).
        var body: [[UInt8]] = []
        let large = options.largeMessages > 0 && i % max(1, options.messages / options.largeMessages) == options.messages / max(1, options.largeMessages) / 2
        let attach = large || rng.chance(options.attachmentEvery)
        if attach { kept.append(Array("MIME-Version: 1.0".utf8)); kept.append(Array("Content-Type: multipart/mixed; boundary=\"b\(i)\"".utf8)) }
        if attach { body.append(Array("--b\(i)".utf8)); body.append(Array("Content-Type: text/plain".utf8)); body.append([]) }
        var size = 0
        var validFromInBody = false
        let target = options.averageBodyBytes / 2 + rng.below(options.averageBodyBytes + 1)
        while size < target {
            var line = textLines[rng.below(textLines.count)]
            switch rng.below(40) {
            case 0: line = Array("From the desk of the director: ".utf8) + line
            // Quoted From lines: left out of mboxo-family files, where nothing could tell them
            // from escapes (and auto-detection would rightly guess mboxrd).
            case 1 where !v.escapesFrom: line = Array(">From an earlier note: ".utf8) + line
            case 2 where !v.escapesFrom: line = Array(">>From further back: ".utf8) + line
            case 3 where v == .solaris || v == .mboxcl2:
                line = Array("From bob@example.org \(ctime(date - 86400, offset: 0))".utf8)  // a valid From_ line
                validFromInBody = true
            case 4: line = []
            default: break
            }
            size += line.count + 1
            body.append(line)
        }
        // An mboxrd writer's mark: one quoted From line in the first message, written `>>From `.
        // Without one, nothing in the file tells mboxrd from mboxo (`format: auto` refuses such a
        // file unless the plan says how to read it; the lab's plans say mboxo).
        if v == .mboxrd && i == 0 { body.insert(Array(">From the first quoted note".utf8), at: 0) }
        if attach {
            body.append(Array("--b\(i)".utf8)); body.append(Array("Content-Type: application/octet-stream".utf8))
            body.append(Array("Content-Transfer-Encoding: base64".utf8)); body.append([])
            let bytes = large ? options.largeBytes : 4000 + rng.below(30000)
            for _ in 0..<(bytes / 77) { body.append(base64Lines[rng.below(base64Lines.count)]) }
            body.append(Array("--b\(i)--".utf8))
        }
        // Flags.
        var status = ""
        if rng.below(3) > 0 { status += "R" }
        if rng.below(4) > 0 { status += "O" }
        var xstatus = ""
        for (c, odds) in [("A", 5), ("F", 6), ("D", 15), ("T", 25)] where rng.chance(odds) { xstatus += c }
        var letters = Set<Character>()
        if status.contains("R") { letters.insert("S") }
        for c in xstatus { letters.insert(["A": "R", "F": "F", "D": "T", "T": "D"][c]!) }
        let flags = String(letters.sorted())
        let inCur = status.contains("R") || status.contains("O") || !flags.isEmpty
        // Stored bytes and the file's bytes.
        let lineEnd = nl
        var storedBody: [UInt8] = []
        var fileBody: [UInt8] = []
        for (n, line) in body.enumerated() {
            let isLast = n == body.count - 1
            let end = (isLast && last && options.lastWithoutNewline) ? [] : lineEnd
            let fileLine: [UInt8]
            if v.escapesFrom && line.starts(with: Array("From ".utf8)) {
                fileLine = [0x3E] + line
            } else if v == .mboxrd && isEscapedOrFrom(line) {
                fileLine = [0x3E] + line
            } else {
                fileLine = line
            }
            storedBody += (v.escapesFrom ? fileLine : line) + end
            fileBody += fileLine + end
        }
        var mboxOnly: [[UInt8]] = []
        if !status.isEmpty { mboxOnly.append(Array("Status: \(status)".utf8)) }
        if !xstatus.isEmpty { mboxOnly.append(Array("X-Status: \(xstatus)".utf8)) }
        if rng.chance(2) { mboxOnly.append(Array("X-UID: \(i + 1)".utf8)) }
        if rng.chance(6) { mboxOnly.append(Array("X-Keywords: $Label1".utf8)) }
        var fileHeaders: [[UInt8]] = []
        // Interleave: mbox-only headers after Subject (Dovecot's place), Content-Length last for Solaris.
        for (n, h) in kept.enumerated() {
            fileHeaders.append(h)
            if n == 3 { fileHeaders += mboxOnly }
        }
        if v.hasContentLength {
            var cl = fileBody.count
            if !validFromInBody && options.badContentLengthEvery > 0 && i % options.badContentLengthEvery == options.badContentLengthEvery - 1 { cl += 17 }
            let h = Array("Content-Length: \(cl)".utf8)
            if v == .solaris { fileHeaders.append(h) } else { fileHeaders.insert(h, at: min(2, fileHeaders.count)) }
        }
        var stored: [UInt8] = []
        for h in kept { stored += h + lineEnd }
        stored += lineEnd + storedBody
        var file = fromLine(sender, date) + lineEnd
        for h in fileHeaders { file += h + lineEnd }
        file += lineEnd + fileBody
        if !(last && options.lastWithoutNewline) { file += lineEnd }
        return Built(file: file, stored: stored, date: dateOfFromLine(date), flags: flags, inCur: inCur)
    }

    /// From_ lines carry whole seconds; the manifest date is the line's date.
    func dateOfFromLine(_ d: Int) -> Int { d }

    func isEscapedOrFrom(_ line: [UInt8]) -> Bool {
        var g = 0
        while g < line.count && line[g] == 0x3E { g += 1 }
        return line.count - g >= 5 && line[g..<(g + 5)].elementsEqual("From ".utf8)
    }

    mutating func folderInternalData() -> [UInt8] {
        let text = """
            From MAILER-DAEMON \(ctime(1_546_300_000, offset: 0))
            Date: \(ctime(1_546_300_000, offset: 0)) +0000
            From: Mail System Internal Data <MAILER-DAEMON@corpus.example>
            Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA
            Message-ID: <1546300000@corpus.example>
            X-IMAP: 1546300000 0000000042 $Label1
            Status: RO

            This text is part of the internal format of your mail folder, and is not
            a real message.  It is created automatically by the mail system software.


            """
        var bytes = Array(text.utf8)
        if options.crlf { bytes = bytes.flatMap { $0 == 10 ? [13, 10] : [$0] } }
        return bytes
    }
}

/// Buffered sequential writes to a new file.
struct CorpusFileWriter {
    let fd: Int32
    var buffer: [UInt8] = []
    private(set) var offset = 0

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        offset += bytes.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        try buffer.withUnsafeBytes { p in
            var done = 0
            while done < p.count {
                let n = Glibc.write(fd, p.baseAddress! + done, p.count - done)
                guard n > 0 else { throw CocoaError(.fileWriteUnknown) }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        Glibc.close(fd)
    }
}
