import Glibc

/// `flock(2)` locks: held by the open file, dropped by the kernel when the holder dies.
public enum FileLock {
    /// `flock(LOCK_EX | LOCK_NB)`: true when the exclusive lock was taken, false when someone
    /// holds it (or the call failed).
    public static func tryExclusive(_ fd: Int32) -> Bool {
        flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    /// `flock(LOCK_UN)`.
    public static func unlock(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
    }
}
