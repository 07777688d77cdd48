import Foundation
import SystemCalls

/// The default journal: an append-only log file `journal.log`, its key `journal.key` and a `lock`
/// file in a state directory (`.mailshift/<plan name>/` next to the plan, or `--state PATH`).
///
/// The directory is private (0700, its files 0600) and must be the running user's alone
/// (`StateDirectory`); each group of lines written together is closed by a keyed, chained seal
/// (`JournalSeal`), so a record cannot be forged by someone who can write the log but not read
/// the key.
///
/// Like ninja's `.ninja_log`, the log is a header line and then one line per record, last record
/// wins; unlike ninja, every append is `fdatasync`ed before it returns (grouped across concurrent
/// callers by `GroupCommitter`). A rewrite (compaction, rebinding to a changed plan) goes through
/// a temporary file that is synced and renamed over the log, then the directory is synced.
public final class FileJournalStore: JournalStore, @unchecked Sendable {
    public let directory: String
    public var location: String { directory }
    public var logPath: String { directory + "/journal.log" }
    public var lockPath: String { directory + "/lock" }
    public var keyPath: String { directory + "/journal.key" }

    private let state = NSLock()
    /// The valid length and file size the last `read` saw, so `beginAppending` right after a
    /// replay need not scan the log again.
    private var lastScan: (validLength: Int, size: Int, lastTag: JournalSeal.Tag)?
    private var key: [UInt8]?
    private var committer: GroupCommitter?
    private var fd: Int32 = -1

    public init(directory: String) {
        self.directory = directory
    }

    /// The default state directory of a plan: `.mailshift/<plan name>/` beside the plan file.
    public static func defaultDirectory(planPath: String, planName: String) -> String {
        let planDirectory = (planPath as NSString).deletingLastPathComponent
        let base = planDirectory.isEmpty ? "." : planDirectory
        return base + "/.mailshift/" + planName
    }

    // MARK: Reading

    public func read(full: Bool, visit: (JournalRecord) throws -> Void) throws -> JournalReadResult {
        guard try StateDirectory.verify(directory), let fd = try PrivateFile.open(logPath, .readOnly) else {
            return JournalReadResult(header: nil, recordCount: 0, warnings: [], validLength: 0)
        }
        // Read, not mapped: a concurrent truncation of a torn tail must not fault this reader.
        let data = try readAll(fd)
        var seal = JournalSeal(key: data.isEmpty ? [] : try journalKey(data))
        let result = try data.withUnsafeBufferPointer { bytes in
            try scan(bytes, seal: &seal, full: full, visit: visit)
        }
        state.withLock { lastScan = (result.validLength, data.count, seal.previous) }
        return result
    }

    /// The whole file; closes `fd`.
    private func readAll(_ fd: Int32) throws -> [UInt8] {
        defer { Descriptor.close(fd) }
        var data = [UInt8]()
        data.reserveCapacity((try? FileStatus.of(descriptor: fd))?.size ?? 0)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n: Int
            do throws(Errno) {
                n = try Descriptor.read(fd, into: chunk.baseAddress!, count: chunk.count)
            } catch {
                throw JournalError.io(path: logPath, operation: "read", errno: error.code)
            }
            if n == 0 { return data }
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
    }

    /// The key of the journal whose first bytes are `start`: refuses a format-1 journal (its
    /// checksum had no key) and a journal whose key is missing.
    private func journalKey(_ start: [UInt8]) throws -> [UInt8] {
        let firstLine = start.prefix { $0 != 0x0A }
        if firstLine.withUnsafeBufferPointer({ JournalCodec.isUnkeyedHeader($0) }) {
            throw JournalError.unkeyed(path: logPath)
        }
        if let key = state.withLock({ self.key }) { return key }
        guard let key = try JournalKey.load(keyPath) else {
            throw JournalError.untrusted(path: logPath, problem: .keyMissing)
        }
        state.withLock { self.key = key }
        return key
    }

    public func readHeader() throws -> JournalHeader? {
        guard try StateDirectory.verify(directory), let fd = try PrivateFile.open(logPath, .readOnly) else { return nil }
        defer { Descriptor.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { raw in (try? Descriptor.read(fd, into: raw.baseAddress!, count: raw.count)) ?? -1 }
        guard n > 0 else { return nil }
        let bytes = Array(buffer[0..<n])
        var seal = JournalSeal(key: try journalKey(bytes))
        return try bytes.withUnsafeBufferPointer { bytes in
            // The header is a group of its own: its line, then its seal. Without both it was torn
            // while the journal was being created: empty.
            guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
            let rest = UnsafeBufferPointer(rebasing: bytes[(end + 1)...])
            guard let sealEnd = rest.firstIndex(of: 0x0A) else { return nil }
            guard let expected = JournalSeal.parse(UnsafeBufferPointer(rebasing: rest[..<sealEnd])),
                seal.verify(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[...end]), expected: expected)
            else {
                // As `read` does: a bad seal on the file's last line is a torn write, else damage.
                if sealEnd + 1 == rest.count, n < buffer.count { return nil }
                throw JournalError.corrupt(path: logPath, line: 1, offset: 0)
            }
            guard case .header(let h)? = try? JournalCodec.decodeLine(UnsafeBufferPointer(rebasing: bytes[..<end]), full: true)
            else { throw JournalError.unreadable(path: logPath, reason: "the first line is not a journal header") }
            guard h.formatVersion == JournalCodec.version else {
                throw JournalError.unreadable(path: logPath, reason: "format version \(h.formatVersion)")
            }
            return h
        }
    }

    /// Reads group by group: a group's records are visited only once its seal verified. An
    /// unsealed tail is torn (dropped, with a warning); a bad seal is torn when it is the last
    /// line, and corruption (or forgery) when anything follows it.
    private func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, seal: inout JournalSeal, full: Bool, visit: (JournalRecord) throws -> Void
    ) throws -> JournalReadResult {
        var header: JournalHeader?
        var count = 0
        var groupStart = 0
        var groupLine = 1
        var offset = 0
        var lineNumber = 0
        while offset < bytes.count {
            lineNumber += 1
            let rest = UnsafeBufferPointer(rebasing: bytes[offset...])
            guard let newline = rest.firstIndex(of: 0x0A) else { break }
            let next = offset + newline + 1
            if let expected = JournalSeal.parse(UnsafeBufferPointer(rebasing: rest[..<newline])) {
                let group = UnsafeBufferPointer(rebasing: bytes[groupStart..<offset])
                guard seal.verify(UnsafeRawBufferPointer(group), expected: expected) else {
                    if next >= bytes.count { break }
                    throw JournalError.corrupt(path: logPath, line: groupLine, offset: groupStart)
                }
                try decode(group, firstLine: groupLine, offset: groupStart, header: &header, count: &count,
                    full: full, visit: visit)
                groupStart = next
                groupLine = lineNumber + 1
            }
            offset = next
        }
        var warnings: [String] = []
        if groupStart < bytes.count {
            warnings.append("\(logPath): dropped a torn last record (line \(groupLine), byte \(groupStart), "
                + "\(bytes.count - groupStart) bytes, not sealed); the steps it recorded will be inspected again")
        }
        return JournalReadResult(header: header, recordCount: count, warnings: warnings, validLength: groupStart)
    }

    /// The lines of one sealed group.
    private func decode(
        _ group: UnsafeBufferPointer<UInt8>, firstLine: Int, offset: Int, header: inout JournalHeader?, count: inout Int,
        full: Bool, visit: (JournalRecord) throws -> Void
    ) throws {
        var start = 0
        var lineNumber = firstLine
        while start < group.count {
            let rest = UnsafeBufferPointer(rebasing: group[start...])
            let end = rest.firstIndex(of: 0x0A) ?? rest.count
            let decoded: JournalCodec.Line
            do {
                decoded = try JournalCodec.decodeLine(UnsafeBufferPointer(rebasing: rest[..<end]), full: full)
            } catch {
                throw JournalError.corrupt(path: logPath, line: lineNumber, offset: offset + start)
            }
            switch decoded {
            case .header(let h):
                guard header == nil, lineNumber == 1 else {
                    throw JournalError.unreadable(path: logPath, reason: "a second header at line \(lineNumber)")
                }
                guard h.formatVersion == JournalCodec.version else {
                    throw JournalError.unreadable(path: logPath, reason: "format version \(h.formatVersion)")
                }
                header = h
            case .record(let r):
                guard header != nil else {
                    throw JournalError.unreadable(path: logPath, reason: "no header line")
                }
                count += 1
                try visit(r)
            }
            start += end + 1
            lineNumber += 1
        }
    }

    // MARK: Appending

    public func beginAppending(header: JournalHeader) throws {
        state.lock()
        defer { state.unlock() }
        guard committer == nil else { return }
        try makeDirectory()
        // A new journal's key exists (synced) before its log does: a log is never seen without
        // its key, whatever moment a crash picks. (An existing log keeps its own key, or the
        // refusal a missing one earns.)
        if (try? FileStatus.of(linkAt: logPath))?.size ?? 0 == 0, self.key == nil {
            self.key = try JournalKey.loadOrCreate(keyPath)
        }
        guard let fd = try PrivateFile.open(logPath, [.writeOnly, .create, .append]) else {
            throw JournalError.io(path: logPath, operation: "open", errno: Errno.noSuchFile.code)
        }
        let size = (try? FileStatus.of(descriptor: fd))?.size ?? 0
        var validLength: Int
        var lastTag: JournalSeal.Tag
        if let scan = lastScan, scan.size == size {
            (validLength, lastTag) = (scan.validLength, scan.lastTag)
        } else {
            state.unlock()
            defer { state.lock() }
            do {
                validLength = try read(full: false) { _ in }.validLength
            } catch {
                Descriptor.close(fd)
                throw error
            }
            lastTag = lastScan?.lastTag ?? JournalSeal.origin
        }
        if validLength == 0 { lastTag = JournalSeal.origin }
        let key: [UInt8]
        do {
            key = try self.key ?? JournalKey.loadOrCreate(keyPath)
        } catch {
            Descriptor.close(fd)
            throw error
        }
        self.key = key
        var seal = JournalSeal(key: key, previous: lastTag)
        if size > validLength {
            // Cut the torn tail so the next record starts on a line of its own.
            do throws(Errno) {
                try Descriptor.truncate(fd, to: validLength)
                try Descriptor.sync(fd)
            } catch {
                Descriptor.close(fd)
                throw JournalError.io(path: logPath, operation: "truncate torn tail", errno: error.code)
            }
        }
        if validLength == 0 {
            var bytes: [UInt8] = []
            JournalCodec.encode(header, into: &bytes)
            seal.seal(&bytes, from: 0)
            do throws(Errno) {
                try Descriptor.writeAll(fd, bytes)
                try Descriptor.sync(fd)
            } catch {
                Descriptor.close(fd)
                throw JournalError.io(path: logPath, operation: "write header", errno: error.code)
            }
            syncDirectory()
        }
        self.fd = fd
        committer = GroupCommitter(fd: fd, path: logPath, seal: seal)
    }

    public func append(_ records: [JournalRecord]) async throws {
        guard let committer = currentCommitter() else {
            throw JournalError.io(path: logPath, operation: "append before beginAppending", errno: Errno.badDescriptor.code)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 80)
        for r in records { JournalCodec.encode(r, into: &bytes) }
        try await committer.commit(bytes)
    }

    /// Appends synchronously (for commands like `approve` that write one record).
    public func appendNow(_ records: [JournalRecord]) throws {
        guard let committer = currentCommitter() else {
            throw JournalError.io(path: logPath, operation: "append before beginAppending", errno: Errno.badDescriptor.code)
        }
        var bytes: [UInt8] = []
        for r in records { JournalCodec.encode(r, into: &bytes) }
        try committer.commitNow(bytes)
    }

    /// How many flushes group commit has done since this store was made (for the benchmark).
    public var flushCount: Int {
        state.lock()
        defer { state.unlock() }
        return closedFlushes + (committer?.flushCount ?? 0)
    }

    private var closedFlushes = 0

    private func currentCommitter() -> GroupCommitter? {
        state.lock()
        defer { state.unlock() }
        return committer
    }

    public func close() {
        state.lock()
        defer { state.unlock() }
        committer?.close()
        closedFlushes += committer?.flushCount ?? 0
        committer = nil
        if fd >= 0 { Descriptor.close(fd) }
        fd = -1
    }

    // MARK: Rewriting

    public func rewrite(header: JournalHeader, records: [JournalRecord]) throws {
        let wasAppending = currentCommitter() != nil
        close()
        try makeDirectory()
        let key = try state.withLock { try self.key ?? JournalKey.loadOrCreate(keyPath) }
        state.withLock { self.key = key }
        let tmp = logPath + ".tmp"
        // A temporary file a crash left behind is ours (the directory is private): start afresh.
        Paths.removeIfPresent(tmp)
        guard let fd = try PrivateFile.open(tmp, [.writeOnly, .create, .exclusive]) else {
            throw JournalError.io(path: tmp, operation: "open", errno: Errno.noSuchFile.code)
        }
        var seal = JournalSeal(key: key)
        var bytes: [UInt8] = []
        JournalCodec.encode(header, into: &bytes)
        seal.seal(&bytes, from: 0)  // the header is a group of its own, so `readHeader` finds its seal
        var groupStart = bytes.count
        for r in records {
            JournalCodec.encode(r, into: &bytes)
            if bytes.count > 1 << 20 {
                seal.seal(&bytes, from: groupStart)
                try writeAll(fd, bytes, path: tmp)
                bytes.removeAll(keepingCapacity: true)
                groupStart = 0
            }
        }
        seal.seal(&bytes, from: groupStart)
        try writeAll(fd, bytes, path: tmp)
        do throws(Errno) {
            try Descriptor.sync(fd)
        } catch {
            Descriptor.close(fd)
            throw JournalError.io(path: tmp, operation: "fsync", errno: error.code)
        }
        Descriptor.close(fd)
        do throws(Errno) {
            try Paths.rename(tmp, to: logPath)
        } catch {
            throw JournalError.io(path: logPath, operation: "rename", errno: error.code)
        }
        syncDirectory()
        if wasAppending { try beginAppending(header: header) }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        do {
            try Descriptor.writeAll(fd, bytes)
        } catch {
            // The write's errno, captured before close can replace it.
            Descriptor.close(fd)
            throw JournalError.io(path: path, operation: "write", errno: error.code)
        }
    }

    private func makeDirectory() throws {
        try StateDirectory.create(directory)
    }

    private func syncDirectory() {
        if let dfd = try? Descriptor.open(directory, [.readOnly, .directory, .closeOnExec]) {
            try? Descriptor.sync(dfd)
            Descriptor.close(dfd)
        }
    }

    // MARK: Lock

    public func acquireLock(command: String) throws -> any JournalLease {
        try makeDirectory()
        return try JournalLockFile.acquire(at: lockPath, command: command)
    }

    public func lockHolder() throws -> LockHolder? {
        guard try StateDirectory.verify(directory) else { return nil }
        return try JournalLockFile.holder(at: lockPath)?.0
    }

    /// The holder and whether it runs.
    public func lockStatus() throws -> (LockHolder, LockHolder.Liveness)? {
        guard try StateDirectory.verify(directory) else { return nil }
        return try JournalLockFile.holder(at: lockPath)
    }

    public func breakLock() throws -> LockHolder? {
        guard try StateDirectory.verify(directory) else { return nil }
        return try JournalLockFile.breakLock(at: lockPath)
    }
}
