import Glibc

/// Whether a process id names a process, by `kill(pid, 0)`.
public enum ProcessLiveness {
    /// True when `pid` exists: `kill(pid, 0)` succeeds, or fails with `EPERM` (it exists but
    /// belongs to another user). A zombie still counts; callers that care look at /proc.
    public static func exists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
