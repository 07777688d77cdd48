import Foundation
import SafeFiles
import Steps
import SystemCalls

/// `HostFiles` on this machine. Every path is reached by `DirectoryWalk` (no directory
/// component is a link a user placed), files are opened `O_NOFOLLOW` and must be regular with
/// one name, written through an `O_EXCL` temporary file with mode and owner set on its
/// descriptor, and renamed into place relative to the directory descriptor.
struct LocalHostFiles: HostFiles {
    var host: HostEndpoint

    private func fail(_ path: String, _ problem: String, hint: String? = nil) -> HostFileFailure {
        HostFileFailure(host: host.name, path: path, problem: problem, hint: hint)
    }

    /// Runs `body`, naming this host in any refusal.
    private func onHost<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let r as FileRefusal {
            throw fail(r.path, r.problem, hint: r.hint)
        }
    }

    func read(_ path: String) async throws -> ForwardFileState { try await readWithAttributes(path).0 }

    func readWithAttributes(_ path: String) async throws -> (ForwardFileState, ForwardFileAttributes?) {
        try onHost {
            guard let (dir, name) = try DirectoryWalk.openParent(of: path),
                let (fd, st) = try dir.openRegularFile(name, singleLink: true)
            else { return (.absent, nil) }
            defer { Descriptor.close(fd) }
            let status = FileStatus(st)
            guard status.size <= forwardSizeLimit else { throw fail(path, "is larger than \(forwardSizeLimit) bytes") }
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n: Int
                do {
                    n = try buffer.withUnsafeMutableBytes { try Descriptor.read(fd, into: $0.baseAddress!, count: $0.count) }
                } catch {
                    throw fail(path, "cannot read: \(error)")
                }
                if n == 0 { break }
                data.append(contentsOf: buffer[0..<n])
                if data.count > forwardSizeLimit { throw fail(path, "is larger than \(forwardSizeLimit) bytes") }
            }
            return (.present(data), ForwardFileAttributes(status))
        }
    }

    func write(_ path: String, _ data: Data, owner: String?, attributes: ForwardFileAttributes?) async throws {
        try onHost {
            let ids = try attributes.map { FileOwner(uid: $0.uid, gid: $0.gid) } ?? owner.map { try account($0, path: path) }
            guard let (dir, name) = try DirectoryWalk.openParent(of: path) else { throw fail(path, "its directory does not exist") }
            try dir.replaceFile(name, with: [UInt8](data), mode: attributes?.mode ?? 0o600, owner: ids)
        }
    }

    func prepareAppendTarget(_ path: String, owner: String?) async throws -> Bool {
        try onHost {
            let ids = try owner.map { try account($0, path: path) }
            guard let (dir, name) = try DirectoryWalk.openParent(of: path, createMissing: true) else {
                throw fail(path, "its directory could not be created")
            }
            switch try dir.kind(of: name).map({ FileStatus.Kind(mode: UInt32($0)) }) {
            case nil: break
            case .regular?:
                // Left as it is, but not when it has other names: saved.import would refuse it later.
                if let (fd, _) = try dir.openRegularFile(name, singleLink: true) { Descriptor.close(fd) }
                return false
            case .symbolicLink?: throw FileRefusal(path, "is a symbolic link; mailshift does not follow it", hint: "replace the link by a regular file or remove it")
            default: throw fail(path, "is not a regular file")
            }
            let fd: Int32
            do {
                fd = try dir.createFile(name, mode: 0o600, owner: ids)
            } catch let r as FileRefusal where r.errorNumber == Errno.exists.code {
                return false  // created meanwhile (the MTA): leave it
            }
            defer { Descriptor.close(fd) }
            do {
                try Descriptor.sync(fd)
            } catch {
                throw fail(path, "cannot fsync: \(error)")
            }
            try? dir.sync()
            return true
        }
    }

    func remove(_ path: String) async throws {
        try onHost {
            guard let (dir, name) = try DirectoryWalk.openParent(of: path) else { return }
            try dir.removeFile(name)
            try? dir.sync()
        }
    }

    /// uid and primary gid of a login name.
    private func account(_ user: String, path: String) throws -> FileOwner {
        guard let ids = FileOwner.account(user) else {
            throw fail(path, "no account '\(user)' on this host to own it", hint: "create the user, or run with the forward owner left unchanged")
        }
        return ids
    }
}
