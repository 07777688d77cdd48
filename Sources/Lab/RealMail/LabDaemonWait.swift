import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for a daemon the lab started to be ready, with a deadline and a pointer to its log.
enum LabDaemonWait {
    static func until(_ what: String, log: String, seconds: TimeInterval = 20, _ ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !ready() {
            guard Date() < deadline else {
                let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(8).joined(separator: "\n")
                throw LabError("\(what) did not come up within \(Int(seconds)) s\(tail.isEmpty ? "" : ":\n" + tail)", hint: "see \(log)")
            }
            usleep(50_000)
        }
    }
}

extension LabProcess {
    /// Runs a tool to its end: its exit status and stdout+stderr together (argv only, no shell).
    /// Spawned with every signal unblocked, so a daemon it starts (dovecot, postfix's master)
    /// does not inherit the blocked SIGTERM of Swift's threads and ignore `lab down`.
    static func outputAndStatus(_ path: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        var template = Array((NSTemporaryDirectory() + "/mailshift-lab-out.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw LabError("cannot make a temporary file: \(String(cString: strerror(errno)))") }
        close(fd)
        let file = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(file) }
        let pid = try spawn(path, arguments, output: file, truncate: true)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), text)
    }
}
