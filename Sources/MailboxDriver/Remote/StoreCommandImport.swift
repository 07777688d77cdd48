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

/// The store host's private copy of a relayed mailbox (see `StoreCommandImport`).
final class PrivateCopy {
    let path: String
    let fd: Int32
    private let parent: Int32
    private let directory: Int32
    private let directoryName: String
    private let name: String

    init(name: String, owner: (uid: uid_t, gid: gid_t)?, under base: String = "/tmp") throws {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else { throw AgentFailure(message: "no usable copy name '\(name)'") }
        var template = Array("\(base)/mailshift-import-XXXXXX".utf8CString)
        guard let madePointer = mkdtemp(&template) else {
            throw AgentFailure(message: "cannot make a private directory under \(base): \(String(cString: strerror(errno)))", transient: true)
        }
        let made = String(cString: madePointer)
        directoryName = String(made.split(separator: "/").last!)
        parent = open(base, O_DIRECTORY | O_RDONLY | O_CLOEXEC)
        directory = open(made, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard parent >= 0, directory >= 0 else {
            let e = errno
            for d in [parent, directory] where d >= 0 { close(d) }
            rmdir(made)
            throw AgentFailure(message: "cannot open \(made): \(String(cString: strerror(e)))", transient: true)
        }
        self.name = name
        path = made + "/" + name
        fd = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = errno
            _ = unlinkat(parent, directoryName, AT_REMOVEDIR)
            close(directory)
            close(parent)
            throw AgentFailure(message: "cannot create \(path): \(String(cString: strerror(e)))", transient: true)
        }
        // The owner reads the file; the directory lets anyone pass by name but list nothing.
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 || fchmod(directory, 0o711) != 0 {
            let e = errno
            remove()
            throw AgentFailure(message: "cannot give \(path) to uid \(owner.uid): \(String(cString: strerror(e)))")
        }
    }

    private var removed = false

    /// Removes the file and the directory through their descriptors; once.
    func remove() {
        guard !removed else { return }
        removed = true
        _ = unlinkat(directory, name, 0)
        _ = unlinkat(parent, directoryName, AT_REMOVEDIR)
    }

    deinit {
        for d in [fd, directory, parent] where d >= 0 { close(d) }
    }
}

/// Where an import argv names the mailbox: an argument equal to its path, or holding it inside
/// (`mbox:/var/mail/u`, `--file=/var/mail/u`), or the literal `{mbox}`. Only whole path
/// occurrences are rewritten: the path must not continue with a name character (`/var/mail/uu`,
/// `/var/mail/u.lock` stay), nor be preceded by one. Plain string replacement; no shell reads it.
enum MailboxPathRewrite {
    static func rewrite(_ argument: String, path: String, with copy: String) -> String {
        let named = replace(Array(argument.utf8), Array(path.utf8), with: Array(copy.utf8), bounded: true)
        return String(decoding: replace(named, Array("{mbox}".utf8), with: Array(copy.utf8), bounded: false), as: UTF8.self)
    }

    static func replace(_ a: [UInt8], _ needle: [UInt8], with replacement: [UInt8], bounded: Bool) -> [UInt8] {
        guard !needle.isEmpty, a.count >= needle.count else { return a }
        var out: [UInt8] = []
        out.reserveCapacity(a.count)
        var i = 0
        while i < a.count {
            let end = i + needle.count
            if end <= a.count, a[i..<end].elementsEqual(needle),
                !bounded || ((i == 0 || !continuesName(a[i - 1])) && (end == a.count || !continuesName(a[end])))
            {
                out.append(contentsOf: replacement)
                i = end
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return out
    }

    static func continuesName(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
            || b == 0x2F || b == 0x7E || b == 0x2B || b >= 0x80
    }
}
