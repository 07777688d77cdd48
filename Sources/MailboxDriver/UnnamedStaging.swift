import Glibc
import SystemCalls

/// `O_TMPFILE`: a file created without a name in a directory, given one later with `linkat`.
enum UnnamedStaging {
    /// `O_TMPFILE`, as the system-call layer spells it (Glibc hides the name).
    static let flag: Int32 = OpenFlags.unnamedTemporary.rawValue

    /// An unnamed, linkable, write-only file in the directory `dir`, mode 0600; -1 with `errno` set.
    static func open(in dir: Int32) -> Int32 {
        openat(dir, ".", O_WRONLY | flag | O_CLOEXEC, 0o600)
    }

    /// Whether this file system and process can create an unnamed file in `new` and link it
    /// (into `tmp`, removed at once): not every file system has `O_TMPFILE`, and a process that
    /// is not root links through `/proc`, which may be missing.
    static func works(new: Int32, tmp: Int32) -> Bool {
        let fd = open(in: new)
        guard fd >= 0 else { return false }
        let probe = "mailshift-\(getpid())-probe"
        unlinkat(tmp, probe, 0)
        let linked = StagedMessage(body: .unnamed(fd: fd), tmpDirectory: tmp, directory: tmp, name: probe, final: probe).publish() == nil
        unlinkat(tmp, probe, 0)
        return linked
    }

    /// Gives an unnamed inode the name `name` in `dir`: `AT_EMPTY_PATH` where allowed (root),
    /// else through `/proc/self/fd`, which needs no privilege.
    static func link(_ fd: Int32, _ dir: Int32, _ name: String) -> Int32 {
        let atEmptyPath: Int32 = 0x1000
        if geteuid() == 0 {
            if linkat(fd, "", dir, name, atEmptyPath) == 0 { return 0 }
            if errno == EEXIST { return -1 }
        }
        return linkat(AT_FDCWD, "/proc/self/fd/\(fd)", dir, name, AT_SYMLINK_FOLLOW)
    }
}

/// The process's open-file limit, raised once to its hard limit: unnamed staging keeps each
/// staged message's file open until it is published (up to the writer's hold, 4 batches).
enum DescriptorLimit {
    private static let raised: Void = {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(resource, &limit)
    }()

    static func raise() { _ = raised }
}
