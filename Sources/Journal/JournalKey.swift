#if canImport(Glibc)
import Glibc
#endif
import SystemCalls

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
        let info = try PrivateFile.status(fd: fd, path: path)
        guard info.kind == .regular else { throw JournalError.untrusted(path: path, problem: .wrongType) }
        try PrivateFile.checkOwnership(info, path: path)
        guard info.mode & 0o077 == 0 else {
            throw JournalError.untrusted(path: path, problem: .keyExposed(mode: info.mode))
        }
        var key = [UInt8](repeating: 0, count: length + 1)
        let n = read(fd, &key, key.count)
        guard n == length else {
            throw JournalError.unreadable(path: path, reason: "a journal key is \(length) bytes, this file has \(max(n, 0))")
        }
        return Array(key.prefix(length))
    }

    /// The key at `path`, made now if there is none. The key appears whole or not at all: it is
    /// written and synced under a temporary name, then linked into place (`link` never replaces a
    /// key someone else put there meanwhile), so a crash while making it leaves no short key that
    /// would make the journal unusable.
    static func loadOrCreate(_ path: String) throws -> [UInt8] {
        if let key = try load(path) { return key }
        let key = try random(length)
        let suffix = try random(8).map { String($0, radix: 16) }.joined()
        let staging = path + ".new-" + suffix
        let fd = Glibc.open(staging, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io(path: staging, operation: "create", errno: errno) }
        defer { unlink(staging) }
        // fchmod: the umask could have taken bits away, never added; this makes 0600 exact.
        let written = fchmod(fd, 0o600) == 0 && write(fd, key, key.count) == key.count && fsync(fd) == 0
        let e = errno
        close(fd)
        guard written else { throw JournalError.io(path: staging, operation: "write key", errno: e) }
        guard link(staging, path) == 0 else {
            if errno == EEXIST, let key = try load(path) { return key }
            throw JournalError.io(path: path, operation: "link key", errno: errno)
        }
        try syncDirectory(of: path)
        return key
    }

    /// Makes the new name durable (the key must survive a power loss before any seal uses it).
    private static func syncDirectory(of path: String) throws {
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let fd = Glibc.open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io(path: dir, operation: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw JournalError.io(path: dir, operation: "fsync", errno: errno) }
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
