import Diagnostics
import SystemCalls

/// Reads a `users_file` in bounded chunks, validating each name as it comes, and keeps only the
/// names and where they were written, never the file's text.
///
/// `check` runs as root and a plan may name any file: `/etc/shadow`, a log, `/dev/zero`. So a
/// line that is not a user name is remembered by position only (its text may be a password
/// hash), the file must be a regular file, and one larger than `byteLimit` is refused from its
/// size before any of it is read. Memory is then the names (16 bytes each, short ones inline)
/// and their positions (8 bytes each) plus one chunk.
struct UsersFileReader {
    /// 64 MiB holds about six million typical user names, more users than any mbox host has;
    /// anything larger is almost surely the wrong file, and refusing it bounds `check`'s memory.
    static let defaultByteLimit = 64 << 20
    static let chunkBytes = 64 << 10
    /// A longer line is taken as not a name (a name is at most `PortableName.maxBytes`, and no
    /// real list pads one with thousands of blanks); the rest of it is skipped, not stored.
    static let lineBytes = 4096

    enum Failure: Error, Equatable {
        case unreadable(errno: Int32)
        case notRegularFile
        case tooLarge(bytes: Int, limit: Int)
    }

    /// The names in file order with their positions, and the first `rejectLimit` lines that were
    /// not names (positions only) with their total count.
    struct Contents {
        var names: [String] = []
        var positions: PackedPositions = PackedPositions()
        var rejected: [SourceLocation] = []
        var rejectedCount = 0
    }

    var byteLimit = defaultByteLimit
    var rejectLimit = Diagnostic.reportLimit

    func read(path: String) -> Result<Contents, Failure> {
        let fd: Int32
        switch PlanSideFile.open(path) {
        case .success(let opened):
            fd = opened.fd
            guard opened.size <= byteLimit else {
                Descriptor.close(fd)
                return .failure(.tooLarge(bytes: opened.size, limit: byteLimit))
            }
        case .failure(.unreadable(let e)): return .failure(.unreadable(errno: e.code))
        case .failure(.notRegular): return .failure(.notRegularFile)
        }
        defer { Descriptor.close(fd) }

        var scanner = LineScanner(rejectLimit: rejectLimit)
        var total = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkBytes, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n: Int
            do throws(Errno) { n = try Descriptor.read(fd, into: buffer.baseAddress!, count: buffer.count) } catch { return .failure(.unreadable(errno: error.code)) }
            if n == 0 { break }
            total += n
            // The file may have grown since fstat.
            guard total <= byteLimit else { return .failure(.tooLarge(bytes: total, limit: byteLimit)) }
            scanner.scan(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        scanner.finish()
        return .success(scanner.contents)
    }
}

/// Splits bytes into lines across chunk boundaries and turns each into a name or a rejection.
/// One user per line; blank lines and `#` comments are skipped; surrounding blanks (space, tab,
/// CR) are trimmed.
private struct LineScanner {
    var contents = UsersFileReader.Contents()
    let rejectLimit: Int
    private var line: [UInt8] = []
    private var lineNumber = 1
    private var offset = 0
    private var overlong = false

    init(rejectLimit: Int) {
        self.rejectLimit = rejectLimit
        line.reserveCapacity(UsersFileReader.lineBytes)
    }

    mutating func scan(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i < bytes.count {
            guard let nl = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: i) else {
                take(UnsafeRawBufferPointer(rebasing: bytes[i...]))
                return
            }
            let part = UnsafeRawBufferPointer(rebasing: bytes[i..<nl])
            if line.isEmpty, !overlong, part.count <= UsersFileReader.lineBytes {
                // The whole line is in this chunk: classify it in place, without copying.
                classify(part)
                next(after: part.count)
            } else {
                take(part)
                endLine()
            }
            i = nl + 1
        }
    }

    mutating func finish() {
        if !line.isEmpty || overlong { endLine() }
    }

    private mutating func take(_ part: UnsafeRawBufferPointer) {
        let room = UsersFileReader.lineBytes - line.count
        if part.count > room {
            line.append(contentsOf: part.prefix(room))
            overlong = true
        } else {
            line.append(contentsOf: part)
        }
    }

    private mutating func endLine() {
        let count = line.count
        line.withUnsafeBytes { classify($0) }
        line.removeAll(keepingCapacity: true)
        next(after: count)
    }

    private mutating func next(after count: Int) {
        offset += count + 1
        lineNumber += 1
        overlong = false
    }

    private mutating func classify(_ bytes: UnsafeRawBufferPointer) {
        var start = 0
        while start < bytes.count, Self.isBlank(bytes[start]) { start += 1 }
        var stop = bytes.count
        if !overlong { while stop > start, Self.isBlank(bytes[stop - 1]) { stop -= 1 } }
        if start == bytes.count, overlong {
            reject(at: start, in: bytes)
            return
        }
        guard stop > start, bytes[start] != UInt8(ascii: "#") else { return }
        let name = UnsafeRawBufferPointer(rebasing: bytes[start..<stop])
        // An overlong line's kept prefix may look fine; it is still too long to be a name.
        let fault = overlong ? (PortableName.fault(in: name) ?? min(name.count, PortableName.maxBytes)) : PortableName.fault(in: name)
        if let fault {
            reject(at: start + fault, in: bytes)
            return
        }
        contents.names.append(String(decoding: name, as: UTF8.self))
        contents.positions.append(line: lineNumber, column: start + 1)
    }

    private mutating func reject(at index: Int, in bytes: UnsafeRawBufferPointer) {
        contents.rejectedCount += 1
        if contents.rejected.count < rejectLimit {
            contents.rejected.append(SourceLocation(line: lineNumber, column: Self.column(of: index, in: bytes), offset: offset + index))
        }
    }

    @inline(__always)
    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    /// 1-based column in characters (UTF-8 lead bytes) of byte `index`.
    private static func column(of index: Int, in bytes: UnsafeRawBufferPointer) -> Int {
        var column = 1
        for b in bytes.prefix(index) where b & 0xC0 != 0x80 { column += 1 }
        return column
    }
}
