import Glibc

/// Reaches a directory from `/` one component at a time, each opened with
/// `O_NOFOLLOW | O_DIRECTORY` relative to the one before, so no user's symbolic link (on the
/// directory itself or on any directory above it) is ever followed as root.
///
/// The one exception is a link only root could have placed: owned by root, in a directory owned
/// by root that no one else may write (`/var/mail -> spool/mail` on some systems). Its target is
/// walked the same way. Missing directories are created when asked, with the mode asked for
/// (0755 by default) and owned by the process (root), whatever the umask.
public enum DirectoryWalk {
    /// At most this many trusted links per walk (a loop of them is refused).
    static let maxLinks = 16

    /// The directory at absolute `path`; nil when a component does not exist and `createMissing`
    /// is false. Created directories get `mode`.
    public static func open(_ path: String, createMissing: Bool = false, mode: mode_t = 0o755) throws -> DirectoryHandle? {
        guard path.hasPrefix("/") else { throw FileRefusal(path, "is not an absolute path") }
        var pending = components(path)
        for c in pending where c == "." || c == ".." {
            throw FileRefusal(path, "has a '\(c)' component", hint: "use a clean absolute path")
        }
        let rootFD = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw FileRefusal.system("/", "cannot open") }
        let root = DirectoryHandle(fd: rootFD, path: "/")
        var current = root
        var links = 0
        pending.reverse()
        while let name = pending.popLast() {
            if name == ".." {  // only from a trusted link's target: the real parent of `current`
                let d = openat(current.fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard d >= 0 else { throw FileRefusal.system(current.path, "cannot open its parent") }
                current = DirectoryHandle(fd: d, path: parentPath(current.path))
                continue
            }
            if name == "." { continue }
            if let next = try? current.subdirectory(name) {
                current = next
                continue
            }
            // Absent, a link, or not a directory.
            switch try current.kind(of: name) {
            case nil:
                guard createMissing else { return nil }
                current = try current.makeSubdirectory(name, mode: mode, owner: .process).0
            case S_IFLNK:
                let target = try trustedTarget(of: name, in: current)
                links += 1
                guard links <= maxLinks else { throw FileRefusal(current.path(of: name), "has too many levels of links", errorNumber: ELOOP) }
                if target.hasPrefix("/") { current = root }
                pending.append(contentsOf: components(target).reversed())
            default:
                // Opening it again reports what is wrong (not a directory, permission denied).
                guard let next = try current.subdirectory(name) else { return nil }
                current = next
            }
        }
        return current
    }

    /// The target of the link `name` in `dir` when only root could have placed it; else a refusal.
    static func trustedTarget(of name: String, in dir: DirectoryHandle) throws -> String {
        var link = stat()
        let linkPath = dir.path(of: name)
        guard fstatat(dir.fd, name, &link, AT_SYMLINK_NOFOLLOW) == 0 else { throw FileRefusal.system(linkPath, "cannot stat") }
        let parent = try dir.status()
        guard link.st_uid == 0, parent.st_uid == 0, parent.st_mode & 0o022 == 0 else { throw FileRefusal.symbolicLink(linkPath) }
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBytes { readlinkat(dir.fd, name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1) }
        guard n > 0 else { throw FileRefusal.system(linkPath, "cannot read the link") }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// The directory holding absolute `path` and the last component's name.
    public static func split(_ path: String) throws -> (directory: String, name: String) {
        let parts = components(path)
        guard path.hasPrefix("/"), let name = parts.last, name != ".", name != ".." else {
            throw FileRefusal(path, "is not an absolute path to a file")
        }
        return ("/" + parts.dropLast().joined(separator: "/"), name)
    }

    /// The parent directory of `path`, opened safely (see `open`), and the last component.
    public static func openParent(of path: String, createMissing: Bool = false, mode: mode_t = 0o755) throws -> (DirectoryHandle, name: String)? {
        let (dir, name) = try split(path)
        guard let handle = try open(dir, createMissing: createMissing, mode: mode) else { return nil }
        return (handle, name)
    }

    static func components(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }

    static func parentPath(_ path: String) -> String {
        let parts = components(path).dropLast()
        return "/" + parts.joined(separator: "/")
    }
}
