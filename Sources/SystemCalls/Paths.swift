import Glibc

/// The few calls that must take a path (no descriptor to start from yet).
public enum Paths {
    /// `mkdir(2)` with `mode` (the umask may take bits away).
    public static func makeDirectory(_ path: String, mode: UInt32) throws(Errno) {
        guard mkdir(path, mode) == 0 else { throw Errno.current }
    }

    /// `realpath(3)`: the absolute path with every symbolic link, `.` and `..` resolved.
    public static func resolved(_ path: String) throws(Errno) -> String {
        guard let resolved = realpath(path, nil) else { throw Errno.current }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension Paths {
    /// `link(2)`: a second name for `existing`; never replaces a file called `new` (`EEXIST`).
    public static func link(_ existing: String, to new: String) throws(Errno) {
        guard Glibc.link(existing, new) == 0 else { throw Errno.current }
    }

    /// `unlink(2)`, its failure ignored (for removing what may already be gone).
    public static func removeIfPresent(_ path: String) {
        _ = unlink(path)
    }
}

extension Paths {
    /// `rename(2)`: `from` takes the name `to`, replacing what was there in one step.
    public static func rename(_ from: String, to: String) throws(Errno) {
        guard Glibc.rename(from, to) == 0 else { throw Errno.current }
    }
}
