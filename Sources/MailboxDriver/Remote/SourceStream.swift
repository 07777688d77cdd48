import Digest
import Foundation
import Glibc
import SafeFiles
import SystemCalls

/// The source host's side: reads a spool mailbox where it lives (under its spool lock when asked)
/// and writes its messages, or their digests, as frames.
///
/// A mailbox is read whole once (counting only) before any message is sent, so a damaged
/// mailbox fails before the store publishes anything, however large it is; the second read
/// comes from the page cache.
enum SourceStream {
    static func messages(_ request: AgentRequest, to out: FrameWriter) throws {
        let options = try SourceOptions(request)
        let lock = options.lock ? try SpoolLock(mbox: options.mbox, timeout: 30) : nil
        defer { lock?.unlock() }
        guard try SourceFile.exists(options.mbox) else {
            try out.write(.summary, json: SourceSummary.absent(options.mbox, variant: options.variant.rawValue))
            return
        }
        let reader = try MboxReader(path: options.mbox, variant: options.variant, timeZone: options.timeZone, ifAmbiguous: options.ifAmbiguous)
        var whole = MboxTally()
        try MboxReader(path: options.mbox, variant: reader.variant, timeZone: options.timeZone).read(into: &whole)
        var sender = MessageSender(out: out)
        try reader.read(into: &sender)
        try out.write(.summary, json: SourceSummary(reader, tally: sender.tally))
    }

    /// The file's bytes as they are, up to its size at open (mail appended meanwhile waits for
    /// the next run, as with the reader), under the spool lock when asked.
    static func file(_ request: AgentRequest, to out: FrameWriter) throws {
        let options = try SourceOptions(request)
        let lock = options.lock ? try SpoolLock(mbox: options.mbox, timeout: 30) : nil
        defer { lock?.unlock() }
        guard let (fd, st) = try SourceFile.open(options.mbox) else {
            try out.write(.summary, json: SourceSummary.absent(options.mbox, variant: options.variant.rawValue))
            return
        }
        defer { close(fd) }
        let size = Int(st.st_size)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var at = 0
        while at < size {
            let n = pread(fd, buffer, min(1 << 20, size - at), off_t(at))
            guard n > 0 else { throw MboxError(.unreadable, file: options.mbox, offset: at, detail: String(cString: strerror(errno))) }
            try out.write(.body, UnsafeRawBufferPointer(start: buffer, count: n))
            at += n
        }
        let identity = SourceIdentity(st)
        try out.write(.summary, json: SourceSummary(
            file: options.mbox, variant: options.variant.rawValue, detected: false, source: identity.description,
            edges: SourceSummary.edges(fd, size: size), messages: 0, bytes: size, skippedInternal: 0, warningCount: 0, warnings: []))
    }

    /// Largest held message streamed (a held file is one message, read whole).
    static let heldMessageLimit = 64 << 20

    /// A hold spool directory (one file per held message, as `HoldRelease` reads it) as one
    /// mboxrd file, for a store's import command or a Maildir release (`StoreHeldRelease`): each file's own From_ line,
    /// or one made from its mtime; body lines that read as a From_ line after any `>` get one
    /// more `>`. Subdirectories and the like are skipped and a link is refused, not followed, as
    /// the local release (`HoldRelease`) does. A From_ line made from an mtime is written in the
    /// request's zone, the one the plan reads From_ lines in.
    static func hold(_ request: AgentRequest, to out: FrameWriter) throws {
        let spool = try AgentPaths.checked(request.mbox, "mbox")
        let zone = try request.zone()
        guard let dir = try DirectoryWalk.open(spool) else {
            try out.write(.summary, json: SourceSummary.absent(spool, variant: "mboxrd"))
            return
        }
        var (messages, bytes) = (0, 0)
        for name in try dir.names().filter({ !$0.hasPrefix(".") }).sorted() {
            let kind = try dir.kind(of: name)
            guard kind == S_IFREG || kind == S_IFLNK, let (fd, st) = try dir.openRegularFile(name, singleLink: true) else { continue }
            defer { close(fd) }
            guard Int(st.st_size) <= heldMessageLimit else {
                throw AgentFailure(message: "held message \(spool)/\(name) is over \(heldMessageLimit >> 20) MiB", hint: "release it by hand")
            }
            var content = [UInt8](repeating: 0, count: Int(st.st_size))
            var at = 0
            while at < content.count {
                let read: Result<Int, Errno> = content.withUnsafeMutableBytes { p in
                    Result { () throws(Errno) in try Descriptor.read(fd, into: p.baseAddress! + at, count: p.count - at, at: at) }
                }
                let n: Int
                switch read {
                case .success(let count): n = count
                case .failure(let e): throw MboxError(.unreadable, file: "\(spool)/\(name)", offset: at, detail: e.description)
                }
                guard n > 0 else { throw MboxError(.unreadable, file: "\(spool)/\(name)", offset: at, detail: "the file shrank while read") }
                at += n
            }
            let message = HeldMessage.mboxrd(content, mtime: Int(st.st_mtim.tv_sec), timeZone: zone)
            var sent = 0
            while sent < message.count {
                let part = min(1 << 20, message.count - sent)
                try message.withUnsafeBytes { try out.write(.body, UnsafeRawBufferPointer(rebasing: $0[sent..<(sent + part)])) }
                sent += part
            }
            (messages, bytes) = (messages + 1, bytes + message.count)
        }
        try out.write(.summary, json: SourceSummary(
            file: spool, variant: "mboxrd", detected: false, source: "hold:\(messages)", edges: "-", messages: messages, bytes: bytes,
            skippedInternal: 0, warningCount: 0, warnings: []))
    }

    static func digests(_ request: AgentRequest, to out: FrameWriter) throws {
        let options = try SourceOptions(request)
        guard try SourceFile.exists(options.mbox) else {
            try out.write(.summary, json: SourceSummary.absent(options.mbox, variant: options.variant.rawValue))
            return
        }
        let reader = try MboxReader(path: options.mbox, variant: options.variant, timeZone: options.timeZone, ifAmbiguous: options.ifAmbiguous)
        var collector = DigestCollector(computeDigests: request.mode == "digest", prefix: request.tagPrefix ?? "m")
        try reader.read(into: &collector)
        var frame: [UInt8] = []
        for m in collector.messages {
            DigestEntryCodec.encode(offset: m.offset, tag: m.tag, digest: m.digest, into: &frame)
            try frame.withUnsafeBytes { try out.write(.digest, $0) }
        }
        var tally = MboxTally()
        tally.messages = collector.messages.count
        try out.write(.summary, json: SourceSummary(reader, tally: tally))
    }
}

/// A source request's options, checked: an absolute mailbox path without `..`, known names.
struct SourceOptions {
    var mbox: String
    var variant: MboxVariant
    var timeZone: TimeZone
    var ifAmbiguous: AmbiguousReading
    var lock: Bool

    init(_ r: AgentRequest) throws(AgentFailure) {
        mbox = try AgentPaths.checked(r.mbox, "mbox")
        guard let v = MboxVariant(rawValue: r.variant ?? "auto") else { throw AgentFailure(message: "unknown variant '\(r.variant ?? "")'") }
        let tz = try r.zone()
        guard let reading = AmbiguousReading(rawValue: r.ifAmbiguous ?? "refuse") else {
            throw AgentFailure(message: "unknown if_ambiguous '\(r.ifAmbiguous ?? "")'")
        }
        (variant, timeZone, ifAmbiguous, lock) = (v, tz, reading, r.lock ?? false)
    }
}

extension AgentRequest {
    /// The request's zone for From_ dates written without one (UTC when it names none).
    func zone() throws(AgentFailure) -> TimeZone {
        guard let zone = TimeZone(identifier: timezone ?? "UTC") else { throw AgentFailure(message: "unknown time zone '\(timezone ?? "")'") }
        return zone
    }
}

/// Paths an agent accepts: what a plan can hold (absolute, no `.`/`..` component, no NUL or
/// newline). Every file under them is then opened through descriptors that follow no link.
enum AgentPaths {
    static func checked(_ path: String?, _ key: String) throws(AgentFailure) -> String {
        guard let path, path.hasPrefix("/"), path.utf8.count < 4096,
            !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
            !path.utf8.contains(where: { $0 == 0 || $0 == 0x0A })
        else {
            throw AgentFailure(message: "the request's \(key) '\(path ?? "")' is not an absolute path without '..'",
                hint: "the orchestrator sends only the plan's paths; is this a mailshift of another version?")
        }
        return path
    }
}

/// Writes each message as frames: its head with the header bytes, body chunks, its end.
struct MessageSender: MboxConsumer {
    let out: FrameWriter
    var tally = MboxTally()
    var frame: [UInt8] = []

    init(out: FrameWriter) { self.out = out }

    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        _ = try tally.begin(head, headers: headers)
        MessageHeadCodec.encode(head, into: &frame)
        try frame.withUnsafeBytes { try out.write(.head, $0, headers) }
        return true
    }

    mutating func body(_ bytes: UnsafeRawBufferPointer) throws { try out.write(.body, bytes) }

    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        try tally.end(head, storedBytes: storedBytes, endOffset: endOffset)
        MessageHeadCodec.encodeEnd(storedBytes: storedBytes, endOffset: endOffset, into: &frame)
        try frame.withUnsafeBytes { try out.write(.end, $0) }
    }
}

extension SourceSummary {
    init(_ reader: MboxReader, tally: MboxTally) {
        self.init(
            file: reader.path, variant: reader.variant.rawValue, detected: reader.detected, source: reader.identity.description,
            edges: Self.edges(reader.fd, size: reader.limit), messages: tally.messages, bytes: tally.bytes,
            skippedInternal: reader.skippedInternal, warningCount: reader.warningCount,
            warnings: reader.warnings.prefix(20).map(\.description), firstDate: tally.firstDate, lastDate: tally.lastDate)
    }

    static func absent(_ file: String, variant: String) -> SourceSummary {
        SourceSummary(
            file: file, variant: variant, detected: false, source: "absent", edges: "-", messages: 0, bytes: 0, skippedInternal: 0,
            warningCount: 0, warnings: [])
    }

    /// SHA-256 over the first and the last 4 KiB read: with inode, size and mtime, the source
    /// identity retire compares (a rewrite that kept size and mtime still changes these).
    static func edges(_ fd: Int32, size: Int) -> String {
        var sha = SHA256()
        var buffer = [UInt8](repeating: 0, count: 4096)
        for at in [0, max(0, size - 4096)] {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min(4096, size), off_t(at)) }
            if n > 0 { buffer.withUnsafeBytes { sha.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
        }
        return String(sha.finalize().hexString.prefix(32))
    }
}
