import Foundation
import Glibc
import SafeFiles

/// The spool mailbox lock convention: a dotlock `<mbox>.lock`, then an fcntl read lock on the
/// mailbox (the order mail.local and Dovecot use; taking them in another order can deadlock).
///
/// A dotlock older than five minutes is stale (maillock's rule) and is removed; so is one this
/// host's mailshift wrote (`<pid> mailshift <host>`) whose process is gone, which a killed import
/// leaves behind (a resume must not wait five minutes, nor time out, on it). Both are retried
/// until `timeout`, then `MboxError.lockTimeout` (transient) is thrown. Release with `unlock()`.
///
/// The spool is often writable by every user (1777), so nothing in it is trusted: the directory
/// is reached by `DirectoryWalk`, the temporary file has an unpredictable name and is created
/// `O_EXCL | O_NOFOLLOW`, a foreign dotlock is only ever read 64 bytes at most, and the mailbox
/// itself is opened without following a link.
public final class SpoolLock {
    let path: String
    let lockPath: String
    let lockName: String
    let directory: DirectoryHandle
    var fd: Int32 = -1
    var haveDotlock = false

    public init(mbox path: String, timeout: Double) throws {
        self.path = path
        self.lockPath = path + ".lock"
        guard let (directory, name) = try DirectoryWalk.openParent(of: path) else {
            throw MboxError(.unreadable, file: path, offset: 0, detail: "its directory does not exist")
        }
        self.directory = directory
        lockName = name + ".lock"
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            // The dotlock appears with its owner already written (a temporary file linked into
            // place), so a process killed while locking never leaves an anonymous lock behind.
            if try takeDotlock() {
                haveDotlock = true
                break
            }
            var st = stat()
            // Whoever made the lock chose its mtime: the age is computed without trusting it to fit.
            if fstatat(directory.fd, lockName, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                let (age, overflow) = time(nil).subtractingReportingOverflow(st.st_mtim.tv_sec)
                if overflow || age > 300 {
                    unlinkat(directory.fd, lockName, 0)
                    continue
                }
            }
            if Self.isLeftByDeadProcess(lockName, in: directory) { unlinkat(directory.fd, lockName, 0); continue }
            guard Date() < deadline else {
                throw MboxError(.lockTimeout, file: path, offset: 0, detail: "\(lockPath) held for \(Int(timeout)) s")
            }
            usleep(100_000)
        }
        do {
            guard let (f, _) = try directory.openRegularFile(name, singleLink: true) else {
                throw MboxError(.unreadable, file: path, offset: 0, detail: String(cString: strerror(ENOENT)))
            }
            fd = f
        } catch {
            unlock()
            throw error
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

    /// One attempt: a temporary file, written and linked to `<mbox>.lock`. False when the lock
    /// is taken (`EEXIST`).
    private func takeDotlock() throws -> Bool {
        let temporary: String
        let l: Int32
        do {
            temporary = directory.uniqueName(for: lockName)
            l = try directory.createFile(temporary, mode: 0o644, owner: nil)
        } catch let refusal as FileRefusal {
            throw MboxError(.unreadable, file: lockPath, offset: 0, detail: "cannot create dotlock: \(refusal.summary)")
        }
        let text = Self.ownerText(pid: getpid())
        _ = text.withCString { Glibc.write(l, $0, strlen($0)) }
        close(l)
        let linked = linkat(directory.fd, temporary, directory.fd, lockName, 0)
        let linkError = errno
        unlinkat(directory.fd, temporary, 0)
        if linked == 0 { return true }
        guard linkError == EEXIST else {
            throw MboxError(.unreadable, file: lockPath, offset: 0, detail: "cannot create dotlock: \(String(cString: strerror(linkError)))")
        }
        return false
    }

    /// What mailshift writes into its dotlocks: enough to tell, on this host, whether the holder lives.
    static func ownerText(pid: pid_t) -> String { "\(pid) mailshift \(hostName)\n" }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Most bytes read from a dotlock: ours hold a pid, a word and a host name. A foreign lock
    /// larger than this is not ours, and is never read whole (it may be a sparse file of gigabytes).
    static let ownerTextLimit = 64

    /// True when `name` in `dir` is a dotlock mailshift wrote on this host for a process that no
    /// longer exists. Dotlocks of other programs (mail.local writes none of this), links, and
    /// anything but a small regular file are left alone.
    static func isLeftByDeadProcess(_ name: String, in dir: DirectoryHandle) -> Bool {
        guard let (f, st) = try? dir.openRegularFile(name, singleLink: false) else { return false }
        defer { close(f) }
        guard st.st_size <= ownerTextLimit else { return false }
        var buffer = [UInt8](repeating: 0, count: ownerTextLimit + 1)
        let n = read(f, &buffer, buffer.count)
        guard n > 0, n <= ownerTextLimit else { return false }
        let fields = String(decoding: buffer[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 3, fields[1] == "mailshift", fields[2] == hostName, let pid = pid_t(fields[0]), pid > 0 else {
            return false
        }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    public func unlock() {
        if fd >= 0 { close(fd); fd = -1 }
        if haveDotlock { unlinkat(directory.fd, lockName, 0); haveDotlock = false }
    }

    deinit { unlock() }
}
