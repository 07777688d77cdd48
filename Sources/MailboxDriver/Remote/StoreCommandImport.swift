import Foundation
import Glibc

/// The store host's side of a command store (`store.kind: command`): the relayed mailbox bytes go
/// into a private copy (a fresh 0700 directory, the file 0600), the site's import command runs on
/// it (argv, no shell: an argument equal to the legacy path names the copy), and the copy is
/// removed whatever happens. Nothing is run for a stream that did not end with its summary.
enum StoreCommandImport {
    static func run(_ r: AgentRequest, from input: FrameReader) throws -> CommandReport {
        let mbox = try AgentPaths.checked(r.mbox, "mbox")
        guard let argv = r.argv, !argv.isEmpty, argv.count < 1024, !argv.contains(where: { $0.utf8.contains(0) }) else {
            throw AgentFailure(message: "the request has no usable import argv")
        }
        var template = Array("/tmp/mailshift-import-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw AgentFailure(message: "cannot make a private directory: \(String(cString: strerror(errno)))", transient: true) }
        let dir = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let copy = dir + "/" + (mbox.split(separator: "/").last.map(String.init) ?? "mbox")
        let fd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AgentFailure(message: "cannot create \(copy): \(String(cString: strerror(errno)))", transient: true) }
        var bytes = 0
        var ended = false
        do {
            defer { close(fd) }
            while let (type, payload) = try input.next() {
                switch type {
                case .body:
                    var done = 0
                    while done < payload.count {
                        let n = write(fd, payload.baseAddress! + done, payload.count - done)
                        guard n > 0 else { throw AgentFailure(message: "writing \(copy) failed: \(String(cString: strerror(errno)))", transient: true) }
                        done += n
                    }
                    bytes += payload.count
                case .summary:
                    let summary = try StoreSink.decode(SourceSummary.self, payload)
                    guard summary.bytes == bytes else { throw AgentFailure(message: "the stream carried \(bytes) bytes, the source read \(summary.bytes)") }
                    ended = true
                case .failure:
                    throw try StoreSink.decode(AgentFailure.self, payload)
                default:
                    throw AgentFailure(message: "a \(type) frame in a file stream")
                }
                if ended { break }
            }
        }
        guard ended else { throw AgentFailure(message: "the file stream ended before its summary (the source host's session ended)", transient: true) }
        let process = Process()
        // PATH lookup without a shell: env execs argv[0] as given.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--"] + argv.map { $0 == mbox ? copy : $0 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw AgentFailure(message: "cannot start \(argv[0]): \(error)")
        }
        let tail = err.fileHandleForReading.readDataToEndOfFile().suffix(1000)
        process.waitUntilExit()
        return CommandReport(status: process.terminationStatus, stderrTail: String(decoding: tail, as: UTF8.self), bytes: bytes)
    }
}
