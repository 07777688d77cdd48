import Foundation
import Steps
import SystemCalls

/// Reads a secret where the plan says it is, at use.
///
/// A password file is held to ssh's rule for private keys: owned by the running user or root and
/// readable by nobody else. A root-run migration that accepted a file others can read or replace
/// would let them learn the directory password, or choose it (and so which directory root writes).
public enum SecretSource {
    /// The secret's value (a file's one trailing newline dropped).
    public static func value(of secret: SecretReference) throws(SecretError) -> String {
        switch secret {
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else { throw .unset(variable: name) }
            return value
        case .file(let path):
            var text = String(decoding: try contents(of: path), as: UTF8.self)
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }

    /// The bytes of a private secret file, checked on the descriptor read from (no race with a
    /// rename between the check and the read).
    static func contents(of path: String) throws(SecretError) -> [UInt8] {
        let fd: Int32
        do throws(Errno) { fd = try Descriptor.openReadOnly(path, noControllingTerminal: true) } catch { throw .unreadable(file: path, errno: error.code) }
        defer { Descriptor.close(fd) }
        let info: FileStatus
        do throws(Errno) { info = try FileStatus.of(descriptor: fd) } catch { throw .unreadable(file: path, errno: error.code) }
        guard info.kind == .regular else { throw .notAFile(file: path) }
        guard info.owner == ProcessIdentity.effectiveUser || info.owner == 0 else {
            throw .foreignOwner(file: path, uid: info.owner)
        }
        guard info.permissions & 0o077 == 0 else { throw .exposed(file: path, mode: info.permissions) }
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let n: Int
            do throws(Errno) { n = try Descriptor.read(fd, into: chunk.baseAddress!, count: chunk.count) } catch { throw .unreadable(file: path, errno: error.code) }
            if n == 0 { return bytes }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
    }
}

/// Why a secret the plan names cannot be used; never holds the secret.
public enum SecretError: Error, Sendable, Hashable, CustomStringConvertible {
    case unset(variable: String)
    case unreadable(file: String, errno: Int32)
    case notAFile(file: String)
    /// Owned by someone other than the running user and root (uid).
    case foreignOwner(file: String, uid: UInt32)
    /// Readable or writable by group or others (the permission bits).
    case exposed(file: String, mode: UInt32)

    /// The variable or file at fault.
    public var location: String {
        switch self {
        case .unset(let name): "$" + name
        case .unreadable(let file, _), .notAFile(let file), .foreignOwner(let file, _), .exposed(let file, _): file
        }
    }

    public var description: String {
        switch self {
        case .unset(let name): "environment variable \(name) is not set"
        case .unreadable(let file, let e): "cannot read password file \(file): \(Errno(e).description)"
        case .notAFile(let file): "password file \(file) is not a regular file"
        case .foreignOwner(let file, let uid):
            "password file \(file) is owned by uid \(uid), neither you (uid \(ProcessIdentity.effectiveUser)) nor root: its owner could change it"
        case .exposed(let file, let mode):
            "password file \(file) is accessible by others (mode 0\(String(mode, radix: 8))): it must be readable by you alone"
        }
    }

    public var hint: String {
        switch self {
        case .unset(let name): "export \(name) before running mailshift, or use '{ file: PATH }'"
        case .unreadable, .notAFile: "give directory.password a readable file, or use '{ env: NAME }'"
        case .foreignOwner(let file, _): "chown root \(file) (or your user), then chmod 600 \(file)"
        case .exposed(let file, _): "chmod 600 \(file)"
        }
    }
}
