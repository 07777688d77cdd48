import Foundation
import Steps
import SystemCalls

/// Tells whether a service runs on a host: by the plan's `running` argv (exit 0 = running) or by
/// its pid file (the pid is alive, and not a zombie). Read-only.
struct ServiceProbe: Sendable {
    enum Method: Sendable {
        case running([String])
        case pidFile(String)
    }

    /// Checks the pid file on the remote side; the path arrives as a positional argument, never
    /// inside the script text.
    static let remotePidScript = """
        p=$(cat -- "$1" 2>/dev/null) || exit 1
        case $p in ''|*[!0-9]*) exit 1;; esac
        kill -0 "$p" 2>/dev/null || exit 1
        if [ -r "/proc/$p/stat" ]; then
          s=$(sed 's/.*) //' "/proc/$p/stat" | cut -c1)
          [ "$s" != Z ] || exit 1
        fi
        exit 0
        """

    var method: Method
    var host: HostEndpoint
    var transport: any CommandTransport

    init?(_ p: ServiceParameters, host: HostEndpoint, transport: any CommandTransport) {
        if let running = p.running, !running.isEmpty {
            method = .running(running)
        } else if let pidFile = p.pidFile, !pidFile.isEmpty {
            method = .pidFile(pidFile)
        } else {
            return nil
        }
        self.host = host
        self.transport = transport
    }

    var description: String {
        switch method {
        case .running(let argv): "`\(CommandFailure.render(argv))`"
        case .pidFile(let path): "pid file \(path)"
        }
    }

    func isRunning() async throws -> Bool {
        switch method {
        case .running(let argv):
            return try await transport.run(argv, on: host, stdin: nil, timeout: 60).status == 0
        case .pidFile(let path):
            if host.connect == .local { return Self.localPidAlive(path) }
            let argv = ["sh", "-c", Self.remotePidScript, "sh", path]
            return try await transport.run(argv, on: host, stdin: nil, timeout: 60).status == 0
        }
    }

    static func localPidAlive(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return false }
        guard ProcessLiveness.exists(pid) else { return false }
        // A zombie answers kill(pid, 0) but is not running.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            return state != "Z"
        }
        return true
    }
}
