import Glibc

/// Free space of a file system as an unprivileged writer sees it.
public enum FileSystemSpace {
    /// `statvfs(2)`: the bytes available to non-root users (`f_bavail × f_frsize`) on the file
    /// system holding `path`.
    public static func available(at path: String) throws(Errno) -> Int {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { throw Errno.current }
        return Int(fs.f_bavail) * Int(fs.f_frsize)
    }
}
