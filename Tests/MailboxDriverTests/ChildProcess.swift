import Foundation
import MailshiftTestSupport
import Glibc

/// The built `mailshift` binary run as a real child process (posix_spawn, no shell), with its
/// peak memory from `wait4`'s rusage.
enum ChildProcess {
    /// `.build/<config>/mailshift`, next to the test bundle.
    static var mailshift: String? { BuiltMailshift.path }

    static func spawn(_ argv: [String], stdout: String = "/dev/null") throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cargs, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        return pid
    }

    /// Waits for `pid`; returns its exit status (or 128+signal) and peak RSS in KB.
    static func wait(_ pid: pid_t) -> (status: Int32, maxRSSKB: Int) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), Int(usage.ru_maxrss))
    }

    /// Runs to the end; the peak RSS is the child's own `VmHWM`, polled from /proc (rusage's
    /// ru_maxrss would include the parent's memory: posix_spawn's vfork shares it until exec).
    static func run(_ argv: [String], stdout: String = "/dev/null") throws -> (status: Int32, maxRSSKB: Int) {
        let pid = try spawn(argv, stdout: stdout)
        var peak = 0
        var status: Int32 = 0
        while true {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
            {
                peak = max(peak, kb)
            }
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            usleep(5000)
        }
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), peak)
    }
}
