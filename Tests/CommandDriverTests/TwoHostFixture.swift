import CommandDriver
import Foundation
import Lab
import MailshiftTestSupport
import Steps

/// Two ssh "hosts" on loopback, each with disks of its own: `legacy` and `store` are sshd
/// instances in their own mount namespaces, each with a private tmpfs on `spool` and on `store`.
/// A path under them names a different file on each host and none here (the orchestrator's
/// view), so a test can prove which host wrote what.
struct TwoHostFixture: Sendable {
    let root: TemporaryDirectory
    let legacy: SSHDFixture
    let store: SSHDFixture

    var spool: String { root.file("spool") }
    var storeRoot: String { root.file("store") }
    var legacyEndpoint: HostEndpoint { Self.renamed(legacy.endpoint, "legacy") }
    var storeEndpoint: HostEndpoint { Self.renamed(store.endpoint, "store") }
    var hosts: [String: HostEndpoint] { ["legacy": legacyEndpoint, "store": storeEndpoint] }

    /// `storeDisk`: the store host's tmpfs options, e.g. `size=1m` for a disk that fills.
    static func with<T: Sendable>(storeDisk: String = "mode=0755", _ body: (TwoHostFixture) async throws -> T) async throws -> T {
        let root = try TemporaryDirectory(prefix: "two-host")
        defer { root.remove() }
        let mounts = [root.file("spool"), root.file("store")]
        for dir in mounts { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        return try await SSHDFixture.with(privateMounts: mounts) { legacy in
            try await SSHDFixture.with(privateMounts: mounts, privateMountOptions: storeDisk) { store in
                try await body(TwoHostFixture(root: root, legacy: legacy, store: store))
            }
        }
    }

    static func renamed(_ e: HostEndpoint, _ name: String) -> HostEndpoint {
        var e = e
        e.name = name
        return e
    }

    func transport() -> HostTransport { HostTransport(ssh: SSHTransport(.init(configFile: legacy.clientConfig))) }

    /// Writes `text` to `path` on `host` (through its shell's `cat`, the path a positional argument).
    func write(_ text: String, to path: String, on host: HostEndpoint, with transport: HostTransport) async throws {
        let outcome = try await transport.run(
            ["sh", "-c", #"mkdir -p "$(dirname "$1")" && cat > "$1""#, "sh", path], on: host, stdin: Data(text.utf8), timeout: 60)
        guard outcome.status == 0 else { throw StepError.permanent("write on \(host.name) failed: \(String(decoding: outcome.stderr, as: UTF8.self))") }
    }

    /// Two held messages in `spoolDir` on the legacy host: `0001` with its own From_ line (Jan 5
    /// 10:00 UTC) and a body line reading as one; `0002` without, its mtime Jan 6 09:00 UTC.
    func writeHeldSpool(_ spoolDir: String, with transport: HostTransport) async throws {
        try await write("From x@example.org Mon Jan  5 10:00:00 2026\nSubject: one\n\nFrom the start\n", to: "\(spoolDir)/0001", on: legacyEndpoint, with: transport)
        try await write("Subject: two\n\nsecond\n", to: "\(spoolDir)/0002", on: legacyEndpoint, with: transport)
        let touched = try await transport.run(["touch", "-d", "2026-01-06 09:00:00Z", "\(spoolDir)/0002"], on: legacyEndpoint, stdin: nil, timeout: 30)
        guard touched.status == 0 else { throw StepError.permanent("touch on legacy failed") }
    }

    /// Regular files under `path` on `host` (none when it does not exist there).
    func files(under path: String, on host: HostEndpoint, with transport: HostTransport) async throws -> [String] {
        let outcome = try await transport.run(
            ["sh", "-c", #"[ -d "$1" ] || exit 0; find "$1" -type f"#, "sh", path], on: host, stdin: nil, timeout: 60)
        guard outcome.status == 0 else { throw StepError.permanent("find on \(host.name) failed: \(String(decoding: outcome.stderr, as: UTF8.self))") }
        return String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// How many regular files are under `path` on `host` (a count: a listing's capture is bounded).
    func fileCount(under path: String, on host: HostEndpoint, with transport: HostTransport) async throws -> Int {
        let outcome = try await transport.run(
            ["sh", "-c", #"[ -d "$1" ] || { echo 0; exit 0; }; find "$1" -type f | wc -l"#, "sh", path], on: host, stdin: nil, timeout: 60)
        let text = String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard outcome.status == 0, let n = Int(text) else { throw StepError.permanent("count on \(host.name) failed: \(text)") }
        return n
    }

    /// Files this process sees under the shared path names (the orchestrator's own disk).
    func localFiles() -> [String] {
        [spool, storeRoot].flatMap { (FileManager.default.subpaths(atPath: $0) ?? []).map { "\($0)" } }
    }
}
