import Foundation
import Glibc

/// The spool mailbox lock convention: a dotlock `<mbox>.lock`, then an fcntl read lock on the
/// mailbox (the order mail.local and Dovecot use; taking them in another order can deadlock).
///
/// A dotlock older than five minutes is stale (maillock's rule) and is removed. Both are retried
/// until `timeout`, then `MboxError.lockTimeout` (transient) is thrown. Release with `unlock()`.
public final class SpoolLock {
    let path: String
    let lockPath: String
    var fd: Int32 = -1
    var haveDotlock = false

    public init(mbox path: String, timeout: Double) throws {
        self.path = path
        self.lockPath = path + ".lock"
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let l = open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if l >= 0 {
                let text = "\(getpid())\n"
                _ = text.withCString { Glibc.write(l, $0, strlen($0)) }
                close(l)
                haveDotlock = true
                break
            }
            guard errno == EEXIST else {
                throw MboxError(.unreadable, file: lockPath, offset: 0, detail: "cannot create dotlock: \(String(cString: strerror(errno)))")
            }
            var st = stat()
            if stat(lockPath, &st) == 0, time(nil) - st.st_mtim.tv_sec > 300 { unlink(lockPath); continue }
            guard Date() < deadline else {
                throw MboxError(.lockTimeout, file: path, offset: 0, detail: "\(lockPath) held for \(Int(timeout)) s")
            }
            usleep(100_000)
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            unlock()
            throw MboxError(.unreadable, file: path, offset: 0, detail: String(cString: strerror(e)))
        }
        var fl = flock()
        fl.l_type = Int16(F_RDLCK)
        fl.l_whence = Int16(SEEK_SET)
        while fcntl(fd, F_SETLK, &fl) != 0 {
            guard Date() < deadline else {
                unlock()
                throw MboxError(.lockTimeout, file: path, offset: 0, detail: "fcntl lock held for \(Int(timeout)) s")
            }
            usleep(100_000)
        }
    }

    public func unlock() {
        if fd >= 0 { close(fd); fd = -1 }
        if haveDotlock { unlink(lockPath); haveDotlock = false }
    }

    deinit { unlock() }
}
