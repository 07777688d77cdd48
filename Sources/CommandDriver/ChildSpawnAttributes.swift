import Glibc

/// The `posix_spawnattr_t` every child mailshift starts gets (commands, services, ssh, agent
/// sessions): its own process group, so mailshift ends it whole (and a terminal's Ctrl-C reaches
/// mailshift, not the child); signals at their defaults and none blocked, whatever this process
/// does with them (it ignores SIGPIPE and traps SIGINT/SIGTERM): a service left running must stop
/// on SIGTERM, and a shell cannot trap a signal that was ignored when it started.
final class ChildSpawnAttributes {
    var raw = posix_spawnattr_t()

    init() {
        posix_spawnattr_init(&raw)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&raw, &defaults)
        posix_spawnattr_setsigmask(&raw, &mask)
        posix_spawnattr_setpgroup(&raw, 0)
        posix_spawnattr_setflags(&raw, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    }

    deinit { posix_spawnattr_destroy(&raw) }
}
