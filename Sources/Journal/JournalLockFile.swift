import Foundation
import SystemCalls

/// The one-executor-at-a-time lock of a file journal: `<state dir>/lock`.
///
/// How it works: the holder keeps the file open with `flock(LOCK_EX)` and its identity (host, pid,
/// start time, command) written in it. The kernel drops the flock when the holder dies, however it
/// dies, so "flock free but file not empty" means the holder died without releasing: a stale lock.
/// A stale lock of a holder on this host is provably dead (the kernel dropped its flock), so it is
/// taken over and the lease names the dead holder, for the CLI to warn: pulling the plug and then
/// `mailshift resume` must just work. A stale lock from another host (a shared state directory,
/// where flock may not reach) is not taken: `mailshift unlock --force` breaks it deliberately.
/// Releasing empties the file (it is never unlinked, so two processes
/// can never lock two different inodes of one path).
public enum JournalLockFile {
    /// Takes the lock at `path` or throws `JournalError.locked` naming the holder.
    public static func acquire(at path: String, command: String) throws -> FileLease {
        guard let fd = try PrivateFile.open(path, [.readWrite, .create]) else {
            throw JournalError.io(path: path, operation: "open", errno: Errno.noSuchFile.code)
        }
        // A few tries: a child being spawned by this process can hold a copy of a just-closed
        // lock descriptor for an instant (until its exec closes it).
        var locked = FileLock.tryExclusive(fd)
        for _ in 0..<10 where !locked {
            Thread.sleep(forTimeInterval: 0.02)
            locked = FileLock.tryExclusive(fd)
        }
        if !locked {
            let holder = readHolder(fd: fd) ?? LockHolder(host: "?", pid: 0, started: "?", command: "?")
            Descriptor.close(fd)
            throw JournalError.locked(path: path, holder: holder, liveness: .alive)
        }
        let stale = readHolder(fd: fd)
        if let stale, liveness(ofUnlocked: stale) != .dead {
            Descriptor.close(fd)
            throw JournalError.locked(path: path, holder: stale, liveness: liveness(ofUnlocked: stale))
        }
        let me = LockHolder.current(command: command)
        let bytes = Array(me.fileText.utf8)
        do throws(Errno) {
            try Descriptor.truncate(fd, to: 0)
            // A short write leaves errno as it stands, as it always did.
            guard try Descriptor.writeOnce(fd, bytes, at: 0) == bytes.count else { throw Errno.current }
            try Descriptor.sync(fd)
        } catch {
            // The failing call's errno, captured before close can replace it.
            Descriptor.close(fd)
            throw JournalError.io(path: path, operation: "write lock", errno: error.code)
        }
        return FileLease(fd: fd, takenOverFrom: stale)
    }

    /// The holder named in the lock file and whether it still runs; nil when the lock is free.
    public static func holder(at path: String) throws -> (LockHolder, LockHolder.Liveness)? {
        // Read-only is enough for flock, so `status` works without write access.
        guard let fd = try PrivateFile.open(path, .readOnly) else { return nil }
        defer { Descriptor.close(fd) }
        guard let holder = readHolder(fd: fd) else { return nil }
        if !FileLock.tryExclusive(fd) { return (holder, .alive) }
        FileLock.unlock(fd)
        return (holder, liveness(ofUnlocked: holder))
    }

    /// Empties a lock whose holder is not running; throws `holderAlive` if it is.
    public static func breakLock(at path: String) throws -> LockHolder? {
        guard let fd = try PrivateFile.open(path, .readWrite) else { return nil }
        defer { Descriptor.close(fd) }
        let holder = readHolder(fd: fd)
        guard FileLock.tryExclusive(fd) else {
            throw JournalError.holderAlive(
                path: path, holder: holder ?? LockHolder(host: "?", pid: 0, started: "?", command: "?"))
        }
        defer { FileLock.unlock(fd) }
        // Same host and the pid still running (flock free: e.g. a process that closed the file by
        // mistake): treat as alive, never break it.
        if let holder, liveness(ofUnlocked: holder) == .alive {
            throw JournalError.holderAlive(path: path, holder: holder)
        }
        do throws(Errno) {
            try Descriptor.truncate(fd, to: 0)
            try Descriptor.sync(fd)
        } catch {
            throw JournalError.io(path: path, operation: "truncate lock", errno: error.code)
        }
        return holder
    }

    /// With the flock free: dead if on this host and the pid is gone (or reused by someone who does
    /// not hold the lock); unknown on another host.
    static func liveness(ofUnlocked holder: LockHolder) -> LockHolder.Liveness {
        guard holder.host == ProcessInfo.processInfo.hostName else { return .unknown }
        if holder.pid == ProcessIdentity.processID { return .alive }
        return .dead
    }

    static func readHolder(fd: Int32) -> LockHolder? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { raw in (try? Descriptor.read(fd, into: raw.baseAddress!, count: raw.count, at: 0)) ?? -1 }
        guard n > 0 else { return nil }
        return LockHolder(fileText: String(decoding: buffer[0..<n], as: UTF8.self))
    }
}

/// A held file lock.
public final class FileLease: JournalLease, @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32
    public let takenOverFrom: LockHolder?

    init(fd: Int32, takenOverFrom: LockHolder? = nil) {
        self.fd = fd
        self.takenOverFrom = takenOverFrom
    }

    public func release() {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        try? Descriptor.truncate(fd, to: 0)
        try? Descriptor.sync(fd)
        Descriptor.close(fd)
        fd = -1
    }

    deinit { release() }
}
