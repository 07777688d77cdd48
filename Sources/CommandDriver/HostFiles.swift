import Foundation
import Steps

/// Small-file access on a plan host, for `.forward` files: read (never following a symlink),
/// atomic replace (temp file, fsync, rename) with owner and mode 0600, and remove.
protocol HostFiles: Sendable {
    func read(_ path: String) async throws -> ForwardFileState
    /// The file's bytes and, where the host can tell, its mode and owner.
    func readWithAttributes(_ path: String) async throws -> (ForwardFileState, ForwardFileAttributes?)
    /// Replaces `path` atomically; `owner` is the login name to chown to (nil: leave as created);
    /// `attributes`, where the host supports them, set the mode and owner exactly instead.
    func write(_ path: String, _ data: Data, owner: String?, attributes: ForwardFileAttributes?) async throws
    func remove(_ path: String) async throws
    /// Makes sure sendmail can append to `path` as its user: the directory exists (created 0755
    /// with its parents when missing) and the file exists (created empty, mode 0600, owned by
    /// `owner`). An existing file is left exactly as it is; a symbolic link is refused. Returns
    /// whether anything was created.
    @discardableResult
    func prepareAppendTarget(_ path: String, owner: String?) async throws -> Bool
}

extension HostFiles {
    func write(_ path: String, _ data: Data, owner: String?) async throws {
        try await write(path, data, owner: owner, attributes: nil)
    }
}

/// Files on `host`: directly on this machine, through the agent on a remote one.
func hostFiles(_ host: HostEndpoint, transport: any CommandTransport, agentExecutable: String) -> any HostFiles {
    switch host.connect {
    case .local: LocalHostFiles(host: host)
    case .ssh: RemoteHostFiles(host: host, transport: transport, agentExecutable: agentExecutable)
    }
}

/// Largest `.forward` mailshift reads (a real one holds a few lines).
let forwardSizeLimit = 60_000

/// A file operation that failed on a host.
struct HostFileFailure: StepFailure, CustomStringConvertible {
    var host: String
    var path: String
    var problem: String
    var disposition: FailureDisposition = .permanent
    var hint: String?

    var summary: String { "host \(host): \(path): \(problem)" }
    var description: String { summary }
}
