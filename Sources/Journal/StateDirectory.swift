import Foundation
import SystemCalls

/// The rules a state directory must meet before mailshift reads or writes a journal in it.
///
/// A journal decides what a root-run migration does next (a source is retired once its verify
/// is journaled as passed), so only the running user may be able to change it:
/// - the directory is no symbolic link, is owned by the running user and writable by nobody else;
/// - every directory above it is owned by that user or root and writable by nobody else unless
///   sticky (as `/tmp`): otherwise its owner could rename ours away and put theirs in its place;
/// - mailshift makes it 0700 (mkdir, then fchmod: the umask plays no part) and tightens an older,
///   world-readable one to 0700, since the journal holds users' previous `.forward` files.
enum StateDirectory {
    /// Makes `path` and its missing parents (each 0700) and checks it.
    static func create(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") where component != "." {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            do throws(Errno) {
                try Paths.makeDirectory(prefix, mode: 0o700)
            } catch {
                if error == .exists { continue }
                throw JournalError.io(path: prefix, operation: "mkdir", errno: error.code)
            }
            let fd: Int32
            do throws(Errno) {
                fd = try Descriptor.open(prefix, [.readOnly, .directory, .noFollow, .closeOnExec])
            } catch {
                throw JournalError.io(path: prefix, operation: "open", errno: error.code)
            }
            defer { Descriptor.close(fd) }
            try PrivateFile.changeMode(fd: fd, to: 0o700, path: prefix)
        }
        guard try verify(path) else { throw JournalError.io(path: path, operation: "mkdir", errno: Errno.noSuchFile.code) }
    }

    /// Checks an existing state directory (tightening a readable one to 0700); false when there
    /// is none.
    @discardableResult
    static func verify(_ path: String) throws -> Bool {
        let link: FileStatus
        do throws(Errno) {
            link = try FileStatus.of(linkAt: path)
        } catch {
            if error == .noSuchFile { return false }
            throw JournalError.io(path: path, operation: "stat", errno: error.code)
        }
        if link.kind == .symbolicLink { throw JournalError.untrusted(path: path, problem: .symlink) }
        let fd: Int32
        do throws(Errno) {
            fd = try Descriptor.open(path, [.readOnly, .directory, .noFollow, .closeOnExec])
        } catch {
            if error == .symbolicLinkLoop { throw JournalError.untrusted(path: path, problem: .symlink) }
            if error == .notADirectory { throw JournalError.untrusted(path: path, problem: .wrongType) }
            throw JournalError.io(path: path, operation: "open", errno: error.code)
        }
        defer { Descriptor.close(fd) }
        let info = try PrivateFile.status(fd: fd, path: path)
        guard info.kind == .directory else { throw JournalError.untrusted(path: path, problem: .wrongType) }
        try PrivateFile.checkOwnership(info, path: path)
        if info.mode & 0o777 != 0o700 { try PrivateFile.changeMode(fd: fd, to: 0o700, path: path) }
        try verifyAncestors(of: path)
        return true
    }

    /// Every directory above `path` (links resolved) must be changeable by the running user or
    /// root alone, or be sticky.
    private static func verifyAncestors(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        var current: String
        do throws(Errno) {
            current = try Paths.resolved(parent.isEmpty ? "." : parent)
        } catch {
            throw JournalError.io(path: parent, operation: "realpath", errno: error.code)
        }
        while true {
            let info: FileStatus
            do throws(Errno) {
                info = try FileStatus.of(followingLinksAt: current)
            } catch {
                throw JournalError.io(path: current, operation: "stat", errno: error.code)
            }
            let ownerOK = info.owner == 0 || info.owner == ProcessIdentity.effectiveUser
            let othersMayWrite = info.mode & 0o022 != 0 && !info.isSticky
            if !ownerOK || othersMayWrite {
                throw JournalError.untrusted(path: path, problem: .unsafeAncestor(
                    path: current, mode: info.mode, uid: info.owner))
            }
            if current == "/" { return }
            let up = (current as NSString).deletingLastPathComponent
            current = up.isEmpty ? "/" : up
        }
    }
}
