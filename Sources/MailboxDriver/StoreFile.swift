import Glibc

/// Reads a message file of a Maildir the way a root process must read a name anyone who can
/// write the Maildir could have planted: relative to its directory's descriptor, never following
/// a symbolic link, never blocking on a FIFO or device, regular files only, and only the bytes
/// the file had when opened (one being appended to cannot keep verify reading forever).
struct StoreFile {
    /// What a directory entry turned out to be.
    enum Entry {
        /// A regular file: its canonical SHA-256.
        case message(digest: String)
        /// Anything else (FIFO, symbolic link, device, directory, socket), by kind: never opened
        /// for reading.
        case notRegular(kind: String)
    }

    /// One read buffer, reused for every file.
    private let buffer: UnsafeMutableRawBufferPointer

    init(bufferSize: Int = 1 << 20) {
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    func deallocate() { buffer.deallocate() }

    /// The entry `name` of the directory open as `directory` (`path` names it in errors).
    func canonicalDigest(directory: Int32, path: String, name: String) throws -> Entry {
        let file = "\(path)/\(name)"
        var st = stat()
        // Looked at before it is opened: opening a device can itself have effects.
        guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure(file, 0) }
        guard Self.isRegular(st) else { return .notRegular(kind: Self.kind(st)) }
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            // Replaced by a link since the look: the same refusal.
            if errno == ELOOP { return .notRegular(kind: "symbolic link") }
            throw failure(file, 0)
        }
        defer { close(fd) }
        // Replaced by something else since the look: what was opened is what counts.
        guard fstat(fd, &st) == 0 else { throw failure(file, 0) }
        guard Self.isRegular(st) else { return .notRegular(kind: Self.kind(st)) }
        var digest = CanonicalSHA256()
        var remaining = Int(st.st_size)
        var offset = 0
        while remaining > 0 {
            let n = read(fd, buffer.baseAddress, min(remaining, buffer.count))
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw failure(file, offset) }
            if n == 0 { break }  // shrank: the bytes there are the message now
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            remaining -= n
            offset += n
        }
        return .message(digest: digest.finalize())
    }

    private static func isRegular(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFREG }

    private static func kind(_ st: stat) -> String {
        switch st.st_mode & S_IFMT {
        case S_IFIFO: "FIFO"
        case S_IFLNK: "symbolic link"
        case S_IFDIR: "directory"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        case S_IFSOCK: "socket"
        default: "not a regular file"
        }
    }

    private func failure(_ file: String, _ offset: Int) -> MboxError {
        MboxError(.unreadable, file: file, offset: offset, detail: String(cString: strerror(errno)))
    }
}
