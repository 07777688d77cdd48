import Foundation
import Glibc
import SafeFiles
import Steps

/// Durable moves for retire: rename when on one file system, else copy (mode, owner, times kept),
/// fsync, rename into place, then remove the source; directories fsynced after. Both ends are
/// reached by `DirectoryWalk` and the source must be a regular file with one name, so a mailbox
/// swapped for a link moves (or copies) nothing but the user's own file.
enum FileDurability {
    static func syncDirectory(of path: String) {
        if let (dir, _) = try? DirectoryWalk.openParent(of: path) { try? dir.sync() }
    }

    static func move(_ source: String, to dest: String) throws {
        guard let (from, name) = try DirectoryWalk.openParent(of: source) else { throw MailboxFailure(.directoryGone, file: source) }
        // Archived mailboxes are users' mail: a missing archive directory is root's, 0700.
        guard let (to, destName) = try DirectoryWalk.openParent(of: dest, createMissing: true, mode: 0o700) else {
            throw MailboxFailure(.archiveFailed(during: "creating its directory: ", errorNumber: ENOENT), file: dest)
        }
        guard try to.kind(of: destName) == nil else {
            throw MailboxFailure(.archiveExists, file: dest)
        }
        guard let (input, st) = try from.openRegularFile(name, singleLink: true) else {
            throw MailboxFailure(.archiveFailed(during: "", errorNumber: ENOENT), file: source)
        }
        defer { close(input) }
        if renameat(from.fd, name, to.fd, destName) == 0 {
            try to.sync()
            try from.sync()
            return
        }
        guard errno == EXDEV else { throw MailboxFailure(.archiveFailed(during: "", errorNumber: errno), file: source) }
        let tmp = to.uniqueName(for: destName)
        let output = try to.createFile(tmp, mode: st.st_mode & 0o777, owner: FileOwner(uid: st.st_uid, gid: st.st_gid))
        var placed = false
        defer { if !placed { try? to.removeFile(tmp) } }
        do {
            defer { close(output) }
            let buf = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buf.deallocate() }
            while true {
                let n = read(input, buf, 1 << 20)
                if n == 0 { break }
                guard n > 0, write(output, buf, n) == n else {
                    throw MailboxFailure(.archiveFailed(during: "copy failed: ", errorNumber: errno), file: source)
                }
            }
            var times = [st.st_atim, st.st_mtim]
            futimens(output, &times)
            guard fsync(output) == 0 else { throw MailboxFailure(.archiveFailed(during: "fsync: ", errorNumber: errno), file: dest) }
        }
        guard renameat(to.fd, tmp, to.fd, destName) == 0 else { throw MailboxFailure(.archiveFailed(during: "", errorNumber: errno), file: dest) }
        placed = true
        try to.sync()
        try from.removeFile(name)
        try from.sync()
    }
}
