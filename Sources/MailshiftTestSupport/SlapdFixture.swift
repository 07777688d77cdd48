import Foundation
import Lab
import Steps

/// A private slapd for one test: its own temp directory, port and data, stopped by `stop()`
/// (call it in `defer`; `deinit` stops slapd too if a test forgets).
///
/// Checks read the directory with the `ldapsearch` tool, independent of the code under test.
public final class SlapdFixture: Sendable {
    public enum Account: Sendable { case root, migrator, reader, anonymous }

    public let temp: TemporaryDirectory
    public let slapd: SlapdInstance
    public let tls: SlapdTLSFiles?

    public init(
        users: [DirectoryUser], logOperations: Bool = true, tls: Bool = false, syncWrites: Bool = true, replication: SlapdReplication? = nil
    ) throws {
        let temp = try TemporaryDirectory(prefix: "slapd")
        do {
            let files = tls ? try SlapdCertificates.make(in: temp.path) : nil
            var options = SlapdOptions(users: users, syncWrites: syncWrites, logOperations: logOperations, tls: files)
            options.replication = replication
            self.slapd = try SlapdInstance.start(in: temp.path + "/slapd", options: options)
            self.tls = files
            self.temp = temp
        } catch {
            temp.remove()
            throw error
        }
    }

    /// Mail users `user1`...`userN` on oldmail.example.edu.
    public convenience init(userCount: Int, logOperations: Bool = true) throws {
        try self.init(users: (1...max(1, userCount)).map { DirectoryUser.mailUser("user\($0)") }, logOperations: logOperations)
    }

    deinit { slapd.stop() }

    public func stop() {
        slapd.stop()
        temp.remove()
    }

    public var layout: DirectoryLayout { slapd.layout }

    /// An endpoint bound as `account`, its password in a file of the test's directory.
    public func endpoint(_ account: Account = .migrator, url: String? = nil, window: Int = 16) -> DirectoryEndpoint {
        var bindDN: String?
        var password: SecretReference?
        if account != .anonymous {
            let file = temp.file("password-\(account)")
            let secret = account == .root ? layout.rootPassword : layout.servicePassword
            _ = FileManager.default.createFile(atPath: file, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
            password = .file(file)
            bindDN = switch account {
            case .root: layout.rootDN
            case .migrator: layout.migratorDN
            case .reader: layout.readerDN
            case .anonymous: nil
            }
        }
        return DirectoryEndpoint(url: url ?? slapd.url, bindDN: bindDN, password: password, base: layout.peopleBase,
                                 connectTimeout: 5, operationTimeout: 10, window: window)
    }

    /// Values of `attribute` on `uid`'s entry, read with ldapsearch as the root DN.
    public func values(_ uid: String, _ attribute: String) throws -> [String] {
        let dn = layout.dn(of: uid)
        let output = try Self.run("/usr/bin/ldapsearch", [
            "-LLL", "-o", "ldif-wrap=no", "-x", "-H", slapd.url, "-D", layout.rootDN, "-w", layout.rootPassword,
            "-s", "base", "-b", dn, "(objectClass=*)", attribute,
        ])
        let prefix = attribute.lowercased() + ": "
        return output.split(separator: "\n").compactMap { line in
            line.lowercased().hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : nil
        }
    }

    /// The entry's `entryCSN`: changes on every write to it, even within one second.
    public func changeSequence(_ uid: String) throws -> String {
        try values(uid, "entryCSN").first ?? ""
    }

    /// Sets an attribute behind mailshift's back (as root, with ldapmodify).
    public func replace(_ uid: String, _ attribute: String, _ value: String) throws {
        let ldif = "dn: \(layout.dn(of: uid))\nchangetype: modify\nreplace: \(attribute)\n\(attribute): \(value)\n"
        let file = temp.file("change-\(UUID().uuidString).ldif")
        try ldif.write(toFile: file, atomically: true, encoding: .utf8)
        _ = try Self.run("/usr/bin/ldapmodify", ["-x", "-H", slapd.url, "-D", layout.rootDN, "-w", layout.rootPassword, "-f", file])
    }

    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw SlapdError("\(path) failed", output: text) }
        return text
    }
}

/// A `StepContext` whose checkpoints and log lines a test can read back.
public final class RecordingContext: @unchecked Sendable {
    private let lock = NSLock()
    private var checkpoints: [StepOutputs] = []
    private var lines: [String] = []

    public init() {}

    public func context(directory: DirectoryEndpoint, dryRun: Bool = false, previous: StepOutputs? = nil) -> StepContext {
        StepContext(
            dryRun: dryRun, directory: directory, previousOutputs: previous,
            checkpoint: { [self] outputs in lock.withLock { checkpoints.append(outputs) } },
            log: { [self] line in lock.withLock { lines.append(line) } })
    }

    /// The last checkpointed outputs (what a resume would hand back as `previousOutputs`).
    public var lastCheckpoint: StepOutputs? { lock.withLock { checkpoints.last } }
    public var checkpointCount: Int { lock.withLock { checkpoints.count } }
    public var log: [String] { lock.withLock { lines } }
}
