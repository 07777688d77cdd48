import Foundation
import SystemCalls

/// A file a plan names beside itself (`groups_file`, `directory.create.from`). `check` runs as
/// root and a plan may name any file, so it is opened once (`O_NONBLOCK`: a FIFO cannot make it
/// wait), checked with `fstat` and read through that descriptor, never more than `limit` bytes.
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

    static func readText(_ path: String, limit: Int) -> Result<String, Problem> {
        let fd: Int32
        do throws(Errno) { fd = try Descriptor.openReadOnly(path, nonBlocking: true) } catch { return .failure(.unreadable(error.description)) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let info: FileStatus
        do throws(Errno) { info = try FileStatus.of(descriptor: fd) } catch { return .failure(.unreadable(error.description)) }
        guard info.kind == .regular else { return .failure(.notRegular) }
        guard info.size <= limit else { return .failure(.tooLarge(limit: limit)) }
        // It may have grown since fstat: one byte past the limit tells.
        guard let data = try? handle.read(upToCount: limit + 1) ?? Data() else { return .failure(.unreadable("read failed")) }
        guard data.count <= limit else { return .failure(.tooLarge(limit: limit)) }
        guard let text = String(data: data, encoding: .utf8) else { return .failure(.unreadable("not UTF-8 text")) }
        return .success(text)
    }
}
