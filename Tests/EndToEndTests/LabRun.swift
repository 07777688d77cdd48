import Foundation
import MailshiftTestSupport
import Glibc
import Lab
import Testing

/// One lab brought up by the built `mailshift` binary, driven as an administrator would: every
/// command is the real binary run as a child process.
struct LabRun {
    let dir: String
    let paths: LabPaths

    /// `.build/<config>/mailshift`, next to the test bundle.
    static var mailshift: String? { BuiltMailshift.path }

    struct Result { var status: Int32; var output: String }

    /// Brings a stand-in lab up in a fresh temporary directory (no MTA unless `mtaInterval`): for
    /// tests about mailshift's own steps, not about mail flow (those use `upReal`).
    static func up(users: Int, messages: Int, seed: UInt64 = 7, mtaInterval: Double = 0, extra: [String] = []) throws -> LabRun {
        let dir = NSTemporaryDirectory() + "mailshift-e2e-" + UUID().uuidString.prefix(8)
        let lab = LabRun(dir: dir, paths: LabPaths(root: dir))
        let r = try lab.mailshift(["lab", "up", dir, "--users", "\(users)", "--messages", "\(messages)", "--seed", "\(seed)",
            "--mta-interval", "\(mtaInterval)", "--mail", "stand-in"] + extra)
        guard r.status == 0 else {
            lab.down()
            throw LabError("lab up failed (\(r.status)): \(r.output)")
        }
        return lab
    }

    /// Stops what the lab started and removes it.
    func down() {
        _ = try? mailshift(["lab", "down", dir])
        try? FileManager.default.removeItem(atPath: dir)
    }

    func plan(_ strategy: String) -> String { paths.plan(strategy) }

    /// Runs `mailshift ARGS…` to its end; stdout and stderr together.
    func mailshift(_ arguments: [String]) throws -> Result {
        let exe = try #require(Self.mailshift, "build the mailshift product first (swift build)")
        let out = dir + ".out-" + UUID().uuidString.prefix(6)
        defer { unlink(out) }
        let pid = try Self.spawn([exe] + arguments, output: out)
        let status = Self.wait(pid)
        return Result(status: status, output: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    /// Starts `mailshift ARGS…` without waiting (for the chaos tests to kill it).
    func start(_ arguments: [String]) throws -> pid_t {
        let exe = try #require(Self.mailshift)
        return try Self.spawn([exe] + arguments, output: "/dev/null")
    }

    /// Runs (or resumes) the plan to completion, approving every gate it stops at with
    /// `mailshift approve`, as an administrator would. Returns the last exit status and output.
    /// `extra` is added to every run and resume (e.g. `--log-format json`); `outputs` collects
    /// what each printed.
    func runApproving(_ strategy: String, resume: Bool = false, extra: [String] = [], outputs: inout [String]) throws -> Result {
        var command = resume ? "resume" : "run"
        var last = Result(status: -1, output: "")
        for _ in 0..<12 {
            last = try mailshift([command, plan(strategy)] + extra)
            outputs.append(last.output)
            command = "resume"
            guard last.status == 3 else { return last }
            for gate in try gates(strategy) {
                let a = try mailshift(["approve", plan(strategy), gate])
                guard a.status == 0 else { return a }
            }
        }
        return last
    }

    func runApproving(_ strategy: String, resume: Bool = false) throws -> Result {
        var ignored: [String] = []
        return try runApproving(strategy, resume: resume, outputs: &ignored)
    }

    /// The gates the journal waits at (from `mailshift status --format json`).
    func gates(_ strategy: String) throws -> [String] {
        let r = try mailshift(["status", plan(strategy), "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any]
        return ((object?["gates"] as? [[String: Any]]) ?? []).compactMap { $0["step"] as? String }
    }

    /// Every file's bytes (digested) under the lab's mail directories, plus the directory's values.
    func snapshot() throws -> [String: String] {
        var state: [String: String] = [:]
        for root in [paths.spool, paths.storeRoot, paths.homes, paths.saved, paths.held, paths.archive] {
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            while let relative = walker.nextObject() as? String {
                let path = root + "/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                state[path] = isDirectory.boolValue ? "dir" : LabDelivery.sha256(Array(FileManager.default.contents(atPath: path) ?? Data()))
            }
        }
        let config = try LabConfig.load(paths)
        for (uid, attributes) in try LabDirectory(config: config, paths: paths).users() {
            state["ldap:" + uid] = attributes.keys.sorted().map { "\($0)=\(attributes[$0] ?? [])" }.joined(separator: ";")
        }
        return state
    }

    static func spawn(_ argv: [String], output: String) throws -> pid_t {
        try LabProcess.spawn(argv[0], Array(argv.dropFirst()), output: output, truncate: true)
    }

    /// Waits for `pid`; its exit status, or 128+signal.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
