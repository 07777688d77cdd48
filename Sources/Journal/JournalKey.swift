#if canImport(Glibc)
import Glibc
#endif

/// The per-journal secret key of the keyed checksum: 32 random bytes in `journal.key`, 0600,
/// beside the journal.
///
/// With it a record cannot be forged by writing the log alone: the forger must read the key, which
/// only its owner (and root) can. A key readable by anyone else is refused, not repaired: it may
/// already be known.
enum JournalKey {
    static let length = 32

    /// The key at `path`; nil when there is none.
    static func load(_ path: String) throws -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw JournalError.untrusted(path: path, problem: .symlink) }
            throw JournalError.io(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io(path: path, operation: "stat", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw JournalError.untrusted(path: path, problem: .wrongType) }
        try PrivateFile.checkOwnership(info, path: path)
        guard info.st_mode & 0o077 == 0 else {
            throw JournalError.untrusted(path: path, problem: .keyExposed(mode: UInt32(info.st_mode)))
        }
        var key = [UInt8](repeating: 0, count: length + 1)
        let n = read(fd, &key, key.count)
        guard n == length else {
            throw JournalError.unreadable(path: path, reason: "a journal key is \(length) bytes, this file has \(max(n, 0))")
        }
        return Array(key.prefix(length))
    }

    /// The key at `path`, made now if there is none (O_EXCL: never over a file someone else
    /// put there in the meantime).
    static func loadOrCreate(_ path: String) throws -> [UInt8] {
        if let key = try load(path) { return key }
        let key = try random(length)
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST, let key = try load(path) { return key }
            throw JournalError.io(path: path, operation: "create", errno: errno)
        }
        defer { close(fd) }
        // fchmod: the umask could have taken bits away, never added; this makes 0600 exact.
        guard fchmod(fd, 0o600) == 0, write(fd, key, key.count) == key.count, fsync(fd) == 0 else {
            let e = errno
            unlink(path)
            throw JournalError.io(path: path, operation: "write key", errno: e)
        }
        return key
    }

    /// Bytes from the kernel's random source: getentropy(3), glibc's getrandom(2) without a
    /// file to open; /dev/urandom where it is missing.
    static func random(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = min(256, count - filled)  // getentropy's limit per call
            guard bytes.withUnsafeMutableBytes({ getentropy($0.baseAddress! + filled, n) }) == 0 else {
                return try urandom(count)
            }
            filled += n
        }
        return bytes
    }

    private static func urandom(_ count: Int) throws -> [UInt8] {
        let fd = Glibc.open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io(path: "/dev/urandom", operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        guard read(fd, &bytes, count) == count else {
            throw JournalError.io(path: "/dev/urandom", operation: "read", errno: errno)
        }
        return bytes
    }
}
