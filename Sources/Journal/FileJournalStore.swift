import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The default journal: an append-only log file `journal.log` and a `lock` file in a state
/// directory (`.mailshift/<plan name>/` next to the plan, or `--state PATH`).
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

    private let state = NSLock()
    /// The valid length and file size the last `read` saw, so `beginAppending` right after a
    /// replay need not scan the log again.
    private var lastScan: (validLength: Int, size: Int)?
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
        let data: Data
        do {
            // Read, not mapped: a concurrent truncation of a torn tail must not fault this reader.
            data = try Data(contentsOf: URL(fileURLWithPath: logPath))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return JournalReadResult(header: nil, recordCount: 0, warnings: [], validLength: 0)
        }
        let result = try data.withUnsafeBytes { raw in
            try scan(raw.bindMemory(to: UInt8.self), full: full, visit: visit)
        }
        state.withLock { lastScan = (result.validLength, data.count) }
        return result
    }

    public func readHeader() throws -> JournalHeader? {
        let fd = open(logPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw JournalError.io(path: logPath, operation: "open", errno: errno)
        }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = Glibc.read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return try buffer[0..<n].withUnsafeBufferPointer { bytes in
            // A header without its newline was torn while the journal was being created: empty.
            guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
            guard case .header(let h)? = try? JournalCodec.decodeLine(
                UnsafeBufferPointer(rebasing: bytes[..<newline]), full: true)
            else { throw JournalError.unreadable(path: logPath, reason: "the first line is not a journal header") }
            guard h.formatVersion == JournalCodec.version else {
                throw JournalError.unreadable(path: logPath, reason: "format version \(h.formatVersion)")
            }
            return h
        }
    }

    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, full: Bool, visit: (JournalRecord) throws -> Void) throws
        -> JournalReadResult
    {
        var header: JournalHeader?
        var count = 0
        var offset = 0
        var lineNumber = 0
        while offset < bytes.count {
            lineNumber += 1
            let rest = UnsafeBufferPointer(rebasing: bytes[offset...])
            let newline = rest.firstIndex(of: 0x0A)
            let torn = { (why: String) -> JournalReadResult in
                let warning = "\(self.logPath): dropped a torn last record (line \(lineNumber), byte \(offset), "
                    + "\(bytes.count - offset) bytes: \(why)); the step it recorded will be inspected again"
                return JournalReadResult(header: header, recordCount: count, warnings: [warning], validLength: offset)
            }
            guard let newline else { return torn("no end of line") }
            let line = UnsafeBufferPointer(rebasing: rest[..<newline])
            let decoded: JournalCodec.Line
            do {
                decoded = try JournalCodec.decodeLine(line, full: full)
            } catch {
                if offset + newline + 1 >= bytes.count { return torn("checksum mismatch") }
                throw JournalError.corrupt(path: logPath, line: lineNumber, offset: offset)
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
            offset += newline + 1
        }
        return JournalReadResult(header: header, recordCount: count, warnings: [], validLength: offset)
    }

    // MARK: Appending

    public func beginAppending(header: JournalHeader) throws {
        state.lock()
        defer { state.unlock() }
        guard committer == nil else { return }
        try makeDirectory()
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JournalError.io(path: logPath, operation: "open", errno: errno) }
        var size = stat()
        fstat(fd, &size)
        let validLength: Int
        if let scan = lastScan, scan.size == Int(size.st_size) {
            validLength = scan.validLength
        } else {
            state.unlock()
            defer { state.lock() }
            validLength = try read(full: false) { _ in }.validLength
        }
        if Int(size.st_size) > validLength {
            // Cut the torn tail so the next record starts on a line of its own.
            guard ftruncate(fd, off_t(validLength)) == 0, fsync(fd) == 0 else {
                Glibc.close(fd)
                throw JournalError.io(path: logPath, operation: "truncate torn tail", errno: errno)
            }
        }
        if validLength == 0 {
            var bytes: [UInt8] = []
            JournalCodec.encode(header, into: &bytes)
            guard Glibc.write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
                Glibc.close(fd)
                throw JournalError.io(path: logPath, operation: "write header", errno: errno)
            }
            syncDirectory()
        }
        self.fd = fd
        committer = GroupCommitter(fd: fd, path: logPath)
    }

    public func append(_ records: [JournalRecord]) async throws {
        guard let committer = currentCommitter() else {
            throw JournalError.io(path: logPath, operation: "append before beginAppending", errno: EBADF)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 80)
        for r in records { JournalCodec.encode(r, into: &bytes) }
        try await committer.commit(bytes)
    }

    /// Appends synchronously (for commands like `approve` that write one record).
    public func appendNow(_ records: [JournalRecord]) throws {
        guard let committer = currentCommitter() else {
            throw JournalError.io(path: logPath, operation: "append before beginAppending", errno: EBADF)
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
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    // MARK: Rewriting

    public func rewrite(header: JournalHeader, records: [JournalRecord]) throws {
        let wasAppending = currentCommitter() != nil
        close()
        try makeDirectory()
        let tmp = logPath + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JournalError.io(path: tmp, operation: "open", errno: errno) }
        var bytes: [UInt8] = []
        JournalCodec.encode(header, into: &bytes)
        for r in records {
            JournalCodec.encode(r, into: &bytes)
            if bytes.count > 1 << 20 {
                try writeAll(fd, bytes, path: tmp)
                bytes.removeAll(keepingCapacity: true)
            }
        }
        try writeAll(fd, bytes, path: tmp)
        guard fsync(fd) == 0 else {
            Glibc.close(fd)
            throw JournalError.io(path: tmp, operation: "fsync", errno: errno)
        }
        Glibc.close(fd)
        guard rename(tmp, logPath) == 0 else { throw JournalError.io(path: logPath, operation: "rename", errno: errno) }
        syncDirectory()
        if wasAppending { try beginAppending(header: header) }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                Glibc.close(fd)
                throw JournalError.io(path: path, operation: "write", errno: errno)
            }
            written += n
        }
    }

    private func makeDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw JournalError.io(path: directory, operation: "mkdir", errno: EACCES)
        }
    }

    private func syncDirectory() {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            Glibc.close(dfd)
        }
    }

    // MARK: Lock

    public func acquireLock(command: String) throws -> any JournalLease {
        try makeDirectory()
        return try JournalLockFile.acquire(at: lockPath, command: command)
    }

    public func lockHolder() throws -> LockHolder? {
        try JournalLockFile.holder(at: lockPath)?.0
    }

    /// The holder and whether it runs.
    public func lockStatus() throws -> (LockHolder, LockHolder.Liveness)? {
        try JournalLockFile.holder(at: lockPath)
    }

    public func breakLock() throws -> LockHolder? {
        try JournalLockFile.breakLock(at: lockPath)
    }
}
