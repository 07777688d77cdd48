import Foundation
import Glibc

/// The spool mailbox lock convention: a dotlock `<mbox>.lock`, then an fcntl read lock on the
/// mailbox (the order mail.local and Dovecot use; taking them in another order can deadlock).
///
/// A dotlock older than five minutes is stale (maillock's rule) and is removed; so is one this
/// host's mailshift wrote (`<pid> mailshift <host>`) whose process is gone, which a killed import
/// leaves behind (a resume must not wait five minutes, nor time out, on it). Both are retried
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
            // The dotlock appears with its owner already written (a temporary file linked into
            // place), so a process killed while locking never leaves an anonymous lock behind.
            let temporary = "\(lockPath).\(getpid()).tmp"
            let l = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard l >= 0 else {
                throw MboxError(.unreadable, file: lockPath, offset: 0, detail: "cannot create dotlock: \(String(cString: strerror(errno)))")
            }
            let text = Self.ownerText(pid: getpid())
            _ = text.withCString { Glibc.write(l, $0, strlen($0)) }
            close(l)
            let linked = link(temporary, lockPath)
            let linkError = errno
            unlink(temporary)
            if linked == 0 {
                haveDotlock = true
                break
            }
            errno = linkError
            guard errno == EEXIST else {
                throw MboxError(.unreadable, file: lockPath, offset: 0, detail: "cannot create dotlock: \(String(cString: strerror(errno)))")
            }
            var st = stat()
            // Whoever made the lock chose its mtime: the age is computed without trusting it to fit.
            if stat(lockPath, &st) == 0 {
                let (age, overflow) = time(nil).subtractingReportingOverflow(st.st_mtim.tv_sec)
                if overflow || age > 300 {
                    unlink(lockPath)
                    continue
                }
            }
            if Self.isLeftByDeadProcess(lockPath) { unlink(lockPath); continue }
            guard Date() < deadline else {
                throw MboxError(.lockTimeout, file: path, offset: 0, detail: "\(lockPath) held for \(Int(timeout)) s")
            }
            usleep(100_000)
        }
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)  // a FIFO there must not block the lock
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

    /// What mailshift writes into its dotlocks: enough to tell, on this host, whether the holder lives.
    static func ownerText(pid: pid_t) -> String { "\(pid) mailshift \(hostName)\n" }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True when `lockPath` is a dotlock mailshift wrote on this host for a process that no longer
    /// exists. Dotlocks of other programs (mail.local writes none of this) are left alone.
    static func isLeftByDeadProcess(_ lockPath: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: lockPath), data.count < 512 else { return false }
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 3, fields[1] == "mailshift", fields[2] == hostName, let pid = pid_t(fields[0]), pid > 0 else {
            return false
        }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    public func unlock() {
        if fd >= 0 { close(fd); fd = -1 }
        if haveDotlock { unlink(lockPath); haveDotlock = false }
    }

    deinit { unlock() }
}
