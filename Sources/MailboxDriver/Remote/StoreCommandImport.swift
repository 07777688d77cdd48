import CommandDriver
import Foundation
import Glibc
import Steps
import SystemCalls

/// The store host's side of a command store (`store.kind: command`): the relayed mailbox bytes go
/// into a private copy, the site's import command runs on it, and the copy is removed whatever
/// happens. Nothing is run for a stream that did not end with its summary.
///
/// The copy: a fresh directory from `mkdtemp` (root's, 0711: the owner can reach the file by
/// name, nobody can list or add), the file created in it through the directory's descriptor
/// (`O_EXCL|O_NOFOLLOW`), 0600 and owned by the mailbox's owner (`fchown` through the file's
/// descriptor), so an import command that drops to the user can read it. It is removed with
/// `unlinkat` through the same descriptors.
///
/// The command: argv without a shell, through the project's child-process code (own process
/// group, killed at the request's timeout); the legacy path, or `{mbox}`, within an argument
/// names the copy (`MailboxPathRewrite`).
enum StoreCommandImport {
    /// Longest an import command may run when the request names no limit, and at most.
    static let defaultTimeout = 86400
    static let maximumTimeout = 7 * 86400

    static func run(_ r: AgentRequest, from input: FrameReader, cancel: CancelFlag = CancelFlag(), copyParent: String = "/tmp") throws -> CommandReport {
        let mbox = try AgentPaths.checked(r.mbox, "mbox")
        guard let argv = r.argv, !argv.isEmpty, argv.count < 1024, !argv.contains(where: { $0.utf8.contains(0) }) else {
            throw AgentFailure(message: "the request has no usable import argv")
        }
        let timeout = min(max(r.timeout ?? defaultTimeout, 1), maximumTimeout)
        let owner = try StoreSink.ownerIDs(r.owner)
        let copy = try PrivateCopy(name: mbox.split(separator: "/").last.map(String.init) ?? "mbox", owner: owner, under: copyParent)
        defer { copy.remove() }
        let bytes = try receive(input, into: copy)
        let rewritten = argv.map { MailboxPathRewrite.rewrite($0, path: mbox, with: copy.path) }
        let outcome: CommandOutcome
        do {
            outcome = try LocalTransport(captureLimit: 4096).runBlocking(
                rewritten, on: HostEndpoint(name: "store", address: "localhost", connect: .local), stdin: nil, timeout: Double(timeout),
                cancel: cancel)
        } catch let f as CommandFailure {
            throw AgentFailure(message: f.summary, hint: f.hint, transient: f.disposition == .transient)
        }
        return CommandReport(status: outcome.status, stderrTail: String(decoding: outcome.stderr.suffix(1000), as: UTF8.self), bytes: bytes)
    }

    /// Writes the relayed file's bytes into the copy; their count, once the summary agreed.
    static func receive(_ input: FrameReader, into copy: PrivateCopy) throws -> Int {
        var bytes = 0
        while let (type, payload) = try input.next() {
            switch type {
            case .body:
                do {
                    try Descriptor.writeAll(copy.fd, payload)
                } catch {
                    throw AgentFailure(message: "writing \(copy.path) failed: \(String(cString: strerror(error.code)))", transient: true)
                }
                bytes += payload.count
            case .summary:
                let summary = try StoreSink.decode(SourceSummary.self, payload)
                guard summary.bytes == bytes else { throw AgentFailure(message: "the stream carried \(bytes) bytes, the source read \(summary.bytes)") }
                return bytes
            case .failure:
                throw try StoreSink.decode(AgentFailure.self, payload)
            default:
                throw AgentFailure(message: "a \(type) frame in a file stream")
            }
        }
        throw AgentFailure(message: "the file stream ended before its summary (the source host's session ended)", transient: true)
    }
}
