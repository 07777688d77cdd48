import Foundation
import SystemCalls

/// A file a plan names beside itself (`groups_file`, `directory.create.from`). `check` runs as
/// root and a plan may name any file, so it is opened once (`O_NONBLOCK`: a FIFO cannot make it
/// wait; `O_NOFOLLOW`: a link cannot redirect it), checked with `fstat` and read through that
/// descriptor, never more than `limit` bytes. The users file (`users_file`) opens the same way.
enum PlanSideFile {
    enum Problem: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case notRegular
        case tooLarge(limit: Int)

        var description: String {
            switch self {
            case .unreadable(let why): "cannot read it: \(why)"
            case .notRegular: "it is not a regular file"
            case .tooLarge(let limit): "it is larger than \(limit >> 20) MiB"
            }
        }
    }

    /// `path` as the plan wrote it, relative to the plan's directory unless absolute.
    static func resolve(_ path: String, planDirectory: String) -> String {
        path.hasPrefix("/") || planDirectory == "." ? path : planDirectory + "/" + path
    }

    /// Opens `path` for reading: the file itself never a symbolic link (one put in its place
    /// must not make root read another file), non-blocking until checked, a regular file.
    /// The descriptor and the size `fstat` gave.
    static func open(_ path: String) -> Result<(fd: Int32, size: Int), OpenProblem> {
        let fd: Int32
        do throws(Errno) {
            fd = try Descriptor.open(path, [.readOnly, .closeOnExec, .nonBlocking, .noFollow, .noControllingTerminal])
        } catch {
            return .failure(.unreadable(error))
        }
        let info: FileStatus
        do throws(Errno) { info = try FileStatus.of(descriptor: fd) } catch {
            Descriptor.close(fd)
            return .failure(.unreadable(error))
        }
        guard info.kind == .regular else {
            Descriptor.close(fd)
            return .failure(.notRegular)
        }
        return .success((fd, info.size))
    }

    enum OpenProblem: Error {
        case unreadable(Errno)
        case notRegular
    }

    static func readText(_ path: String, limit: Int) -> Result<String, Problem> {
        let fd: Int32
        switch open(path) {
        case .success(let opened):
            guard opened.size <= limit else {
                Descriptor.close(opened.fd)
                return .failure(.tooLarge(limit: limit))
            }
            fd = opened.fd
        case .failure(.unreadable(let e)): return .failure(.unreadable(e.description))
        case .failure(.notRegular): return .failure(.notRegular)
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        // It may have grown since fstat: one byte past the limit tells.
        guard let data = try? handle.read(upToCount: limit + 1) ?? Data() else { return .failure(.unreadable("read failed")) }
        guard data.count <= limit else { return .failure(.tooLarge(limit: limit)) }
        guard let text = String(data: data, encoding: .utf8) else { return .failure(.unreadable("not UTF-8 text")) }
        return .success(text)
    }
}
