import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// The one place mailshift starts and ends a child: `posix_spawnp` of an argv (no shell) with the
/// given descriptors as its stdin, stdout and stderr, in a process group of its own
/// (`ChildSpawnAttributes`), no other descriptor inherited; and the bounded wait that kills the
/// group at a deadline. `ChildProcess` (a command with captured output) and `AgentSession` (a
/// long-lived agent stream) both use it.
enum ChildSpawn {
    /// What one of the child's standard descriptors is.
    enum Stream {
        case null
        case descriptor(Int32)
    }

    /// Starts `argv`; `environment` nil means this process's own. Returns the pid, or the errno.
    static func start(
        _ argv: [String], stdin: Stream, stdout: Stream, stderr: Stream, environment: [String]?
    ) -> Result<pid_t, Errno> {
        guard let program = argv.first, !program.isEmpty, !argv.contains(where: { $0.utf8.contains(0) }) else {
            return .failure(Errno(EINVAL))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target, flags) in [(stdin, Int32(0), O_RDONLY), (stdout, 1, O_WRONLY), (stderr, 2, O_WRONLY)] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", flags, 0)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        // Descriptors other threads opened without O_CLOEXEC must not leak into the child.
        Descriptor.spawnClosesFrom(&actions, 3)
        let attributes = ChildSpawnAttributes()
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        let cEnvironment: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer { for p in cEnvironment ?? [] { free(p) } }
        var pid: pid_t = 0
        let rc = cEnvironment.map { posix_spawnp(&pid, program, &actions, &attributes.raw, cArgs, $0) }
            ?? posix_spawnp(&pid, program, &actions, &attributes.raw, cArgs, environ)
        return rc == 0 ? .success(pid) : .failure(Errno(rc))
    }

    /// Waits for `pid` until `deadline` (monotonic seconds) or `cancel`; then sends the group
    /// SIGTERM, and SIGKILL after `grace` seconds (0: SIGKILL at once). Blocking.
    /// Returns the raw wait status (nil when `pid` could not be waited for: not our child, or
    /// reaped already) and whether it had to be killed.
    static func wait(_ pid: pid_t, deadline: Double, grace: Double, cancel: CancelFlag? = nil) -> (raw: Int32?, killed: Bool) {
        var raw: Int32 = 0
        var pause: UInt32 = 50
        while true {
            let r = waitpid(pid, &raw, WNOHANG)
            if r == pid { return (raw, false) }
            if r < 0 && errno != EINTR { return (nil, false) }
            if Monotonic.now >= deadline || cancel?.isSet == true { break }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
        return (end(pid, grace: grace), true)
    }

    /// Writing to a pipe whose reader died (a child that quit, an ssh session that ended) must be
    /// an error (EPIPE), not a signal that kills mailshift.
    static let ignoreSIGPIPE: Void = Signals.ignore(SIGPIPE)

    /// SIGKILL to the process group `start` gave `pid` (its own, led by it).
    static func killGroup(_ pid: pid_t) {
        kill(-pid, SIGKILL)
    }

    /// Ends `pid`'s process group (SIGTERM, SIGKILL after `grace`) and reaps `pid`: its raw status.
    static func end(_ pid: pid_t, grace: Double) -> Int32 {
        var raw: Int32 = 0
        var reaped = false
        if grace > 0 {
            kill(-pid, SIGTERM)
            let graceEnd = Monotonic.now + grace
            while !reaped && Monotonic.now < graceEnd {
                reaped = waitpid(pid, &raw, WNOHANG) == pid
                if !reaped { usleep(10_000) }
            }
        }
        // Anything else left in the group (a grandchild that ignored SIGTERM) goes too.
        killGroup(pid)
        while !reaped && waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        return raw
    }
}
