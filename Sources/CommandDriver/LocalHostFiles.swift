import Foundation
import Steps

#if canImport(Glibc)
import Glibc
#endif

/// `HostFiles` on this machine, with POSIX calls: `O_NOFOLLOW` reads, `O_EXCL` temp files,
/// `fchown`/`fchmod`/`fsync`, `renameat`, and an fsync of the directory.
struct LocalHostFiles: HostFiles {
    var host: HostEndpoint

    private func fail(_ path: String, _ problem: String, hint: String? = nil) -> HostFileFailure {
        HostFileFailure(host: host.name, path: path, problem: problem, hint: hint)
    }

    private func errnoText(_ e: Int32) -> String { String(cString: strerror(e)) }

    func read(_ path: String) async throws -> ForwardFileState {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return .absent }
            if e == ELOOP { throw fail(path, "is a symbolic link; mailshift does not follow it", hint: "replace the link by a regular file or remove it") }
            throw fail(path, "cannot open: \(errnoText(e))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw fail(path, "is not a regular file") }
        guard Int(st.st_size) <= forwardSizeLimit else { throw fail(path, "is larger than \(forwardSizeLimit) bytes") }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw fail(path, "cannot read: \(errnoText(errno))")
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if data.count > forwardSizeLimit { throw fail(path, "is larger than \(forwardSizeLimit) bytes") }
        }
        return .present(data)
    }

    func write(_ path: String, _ data: Data, owner: String?) async throws {
        let ids = try owner.map { try account($0, path: path) }
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { throw fail(path, "cannot open its directory: \(errnoText(errno))") }
        defer { close(dirfd) }
        let temp = ".\(name).mailshift-\(UUID().uuidString.prefix(8))"
        let fd = openat(dirfd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw fail(path, "cannot create a temporary file beside it: \(errnoText(errno))") }
        var ok = false
        defer {
            if !ok { unlinkat(dirfd, temp, 0) }
        }
        do {
            defer { close(fd) }
            let written = data.withUnsafeBytes { raw -> Int in
                var off = 0
                while off < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 { if errno == EINTR { continue }; return -1 }
                    off += n
                }
                return off
            }
            guard written == data.count else { throw fail(path, "cannot write: \(errnoText(errno))") }
            if let ids, fchown(fd, ids.uid, ids.gid) != 0 { throw fail(path, "cannot chown to \(owner ?? ""): \(errnoText(errno))", hint: "run mailshift as root on this host") }
            guard fchmod(fd, 0o600) == 0 else { throw fail(path, "cannot chmod: \(errnoText(errno))") }
            guard fsync(fd) == 0 else { throw fail(path, "cannot fsync: \(errnoText(errno))") }
        }
        guard renameat(dirfd, temp, dirfd, name) == 0 else { throw fail(path, "cannot rename into place: \(errnoText(errno))") }
        ok = true
        _ = fsync(dirfd)
    }

    func prepareAppendTarget(_ path: String, owner: String?) async throws -> Bool {
        var st = stat()
        if lstat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK { throw fail(path, "is a symbolic link; mailshift does not follow it") }
            guard (st.st_mode & S_IFMT) == S_IFREG else { throw fail(path, "is not a regular file") }
            return false
        }
        let ids = try owner.map { try account($0, path: path) }
        let dir = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw fail(dir, "cannot create the directory: \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }  // created meanwhile (the MTA): leave it
            throw fail(path, "cannot create: \(errnoText(errno))")
        }
        defer { close(fd) }
        if let ids, fchown(fd, ids.uid, ids.gid) != 0 { throw fail(path, "cannot chown to \(owner ?? ""): \(errnoText(errno))", hint: "run mailshift as root on this host") }
        guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else { throw fail(path, "cannot chmod or fsync: \(errnoText(errno))") }
        syncDirectory(holding: path)
        return true
    }

    func remove(_ path: String) async throws {
        if unlink(path) != 0 && errno != ENOENT { throw fail(path, "cannot remove: \(errnoText(errno))") }
        syncDirectory(holding: path)
    }

    /// Makes a created or removed name durable: fsync of its directory (best effort).
    private func syncDirectory(holding path: String) {
        let dirfd = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { return }
        _ = fsync(dirfd)
        close(dirfd)
    }

    /// uid and primary gid of a login name (getpwnam_r: thread-safe).
    private func account(_ user: String, path: String) throws -> (uid: uid_t, gid: gid_t) {
        var pw = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let rc = getpwnam_r(user, &pw, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else {
            throw fail(path, "no account '\(user)' on this host to own it", hint: "create the user, or run with the forward owner left unchanged")
        }
        return (pw.pw_uid, pw.pw_gid)
    }
}
