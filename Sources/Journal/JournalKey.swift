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
        let fd: Int32
        do throws(Errno) {
            fd = try Descriptor.open(path, [.readOnly, .noFollow, .closeOnExec])
        } catch {
            if error == .noSuchFile { return nil }
            if error == .symbolicLinkLoop { throw JournalError.untrusted(path: path, problem: .symlink) }
            throw JournalError.io(path: path, operation: "open", errno: error.code)
        }
        defer { Descriptor.close(fd) }
        let info = try PrivateFile.status(fd: fd, path: path)
        guard info.kind == .regular else { throw JournalError.untrusted(path: path, problem: .wrongType) }
        try PrivateFile.checkOwnership(info, path: path)
        guard info.mode & 0o077 == 0 else {
            throw JournalError.untrusted(path: path, problem: .keyExposed(mode: info.mode))
        }
        var key = [UInt8](repeating: 0, count: length + 1)
        let n = key.withUnsafeMutableBytes { raw in (try? Descriptor.read(fd, into: raw.baseAddress!, count: raw.count)) ?? -1 }
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
        let fd: Int32
        do throws(Errno) {
            fd = try Descriptor.open(staging, [.writeOnly, .create, .exclusive, .noFollow, .closeOnExec], mode: 0o600)
        } catch {
            throw JournalError.io(path: staging, operation: "create", errno: error.code)
        }
        defer { Paths.removeIfPresent(staging) }
        var failure: Errno?
        do throws(Errno) {
            // fchmod: the umask could have taken bits away, never added; this makes 0600 exact.
            try Descriptor.changeMode(fd, 0o600)
            try Descriptor.writeAll(fd, key)
            try Descriptor.sync(fd)
        } catch {
            // The failing call's errno, captured before close can replace it.
            failure = error
        }
        Descriptor.close(fd)
        if let failure { throw JournalError.io(path: staging, operation: "write key", errno: failure.code) }
        do throws(Errno) {
            try Paths.link(staging, to: path)
        } catch {
            if error == .exists, let key = try load(path) { return key }
            throw JournalError.io(path: path, operation: "link key", errno: error.code)
        }
        try syncDirectory(of: path)
        return key
    }

    /// Makes the new name durable (the key must survive a power loss before any seal uses it).
    private static func syncDirectory(of path: String) throws {
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let fd: Int32
        do throws(Errno) {
            fd = try Descriptor.open(dir.isEmpty ? "." : dir, [.readOnly, .directory, .closeOnExec])
        } catch {
            throw JournalError.io(path: dir, operation: "open", errno: error.code)
        }
        defer { Descriptor.close(fd) }
        do throws(Errno) {
            try Descriptor.sync(fd)
        } catch {
            throw JournalError.io(path: dir, operation: "fsync", errno: error.code)
        }
    }

    /// Bytes from the kernel's random source: getentropy(3), glibc's getrandom(2) without a
    /// file to open; /dev/urandom where it is missing.
    static func random(_ count: Int) throws -> [UInt8] {
        try Entropy.bytes(count) ?? urandom(count)
    }

    private static func urandom(_ count: Int) throws -> [UInt8] {
        let fd: Int32
        do throws(Errno) {
            fd = try Descriptor.openReadOnly("/dev/urandom")
        } catch {
            throw JournalError.io(path: "/dev/urandom", operation: "open", errno: error.code)
        }
        defer { Descriptor.close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        do throws(Errno) {
            // A short read leaves errno as it stands, as it always did.
            let n = bytes.withUnsafeMutableBytes { raw in Result { () throws(Errno) in try Descriptor.read(fd, into: raw.baseAddress!, count: count) } }
            guard try n.get() == count else { throw Errno.current }
        } catch {
            throw JournalError.io(path: "/dev/urandom", operation: "read", errno: error.code)
        }
        return bytes
    }
}
