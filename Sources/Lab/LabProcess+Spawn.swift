import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension LabProcess {
    /// Starts `path` with stdin from /dev/null and stdout and stderr to `output` (stderr to
    /// `errors` instead when given, e.g. a terminal), not waiting for it.
    ///
    /// Every signal is unblocked and at its default disposition in the child: a Swift process's
    /// threads block some signals, and a child would otherwise inherit that (a slapd started so
    /// ignores SIGTERM). `newSession` detaches it from our terminal and process group.
    public static func spawn(
        _ path: String, _ arguments: [String], output: String, errors: String? = nil, truncate: Bool = false,
        newSession: Bool = false
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        // 0x80 is glibc's POSIX_SPAWN_SETSID, which Swift does not import.
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? 0x80 : 0)
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let mode = truncate ? O_TRUNC : O_APPEND
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | mode, 0o644)
        if let errors {
            posix_spawn_file_actions_addopen(&actions, 2, errors, O_RDWR | O_NOCTTY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw LabError("cannot start \(path): \(String(cString: strerror(rc)))") }
        return child
    }
}
