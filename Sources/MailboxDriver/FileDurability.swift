import Foundation
import Glibc
import Steps

/// Durable moves for retire: rename when on one file system, else copy (mode, owner, times kept),
/// fsync, rename into place, then remove the source; directories fsynced after.
enum FileDurability {
    static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    static func move(_ source: String, to dest: String) throws {
        let dir = (dest as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard !FileManager.default.fileExists(atPath: dest) else {
            throw StepError.permanent("\(dest) already exists; refusing to overwrite an archived mailbox")
        }
        if rename(source, dest) == 0 {
            syncDirectory(of: dest)
            syncDirectory(of: source)
            return
        }
        guard errno == EXDEV else { throw StepError.permanent("archive \(source): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard stat(source, &st) == 0 else { throw StepError.permanent("archive \(source): \(String(cString: strerror(errno)))") }
        let tmp = dest + ".mailshift-partial"
        let input = open(source, O_RDONLY | O_CLOEXEC)
        let output = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0o7777)
        defer { if input >= 0 { close(input) } }
        guard input >= 0, output >= 0 else { throw StepError.permanent("archive \(source): \(String(cString: strerror(errno)))") }
        let buf = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buf.deallocate() }
        while true {
            let n = read(input, buf, 1 << 20)
            if n == 0 { break }
            guard n > 0, write(output, buf, n) == n else {
                close(output)
                unlink(tmp)
                throw StepError.permanent("archive \(source): copy failed: \(String(cString: strerror(errno)))")
            }
        }
        fchown(output, st.st_uid, st.st_gid)
        fchmod(output, st.st_mode & 0o7777)
        var times = [st.st_atim, st.st_mtim]
        futimens(output, &times)
        guard fsync(output) == 0 else { close(output); throw StepError.permanent("archive \(dest): fsync failed") }
        close(output)
        guard rename(tmp, dest) == 0 else { throw StepError.permanent("archive \(dest): \(String(cString: strerror(errno)))") }
        syncDirectory(of: dest)
        guard unlink(source) == 0 else { throw StepError.permanent("archive: remove \(source): \(String(cString: strerror(errno)))") }
        syncDirectory(of: source)
    }
}
