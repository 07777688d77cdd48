import Foundation
import Glibc

/// `mailshift lab up DIR --hosts separate`: the lab's legacy and store hosts as two sshd on
/// 127.0.0.1, each in a mount namespace of its own (`SSHDInstance`'s private mounts), so they
/// share no disk: the legacy host sees an empty private store directory, the store host an empty
/// private spool, saved-mail, archive and home directory (held mail and the stand-ins' pid files
/// stay shared: the proxy strategy's hold runs on the store host and its release reads it). The orchestrator (this machine, where `lab
/// verify` runs) sees the real directories: what the store host writes lands in the real store,
/// what either host writes on the wrong side stays in its private tmpfs, where `wrongSideFiles`
/// finds it. The plans' `legacy` and `store` hosts are rewritten to reach the two servers.
public enum LabSeparateHosts {
    public enum Side: String, CaseIterable, Sendable { case legacy, store }

    /// Seconds the lab's sshd run at most (they stop on `lab down` before that).
    static let lifetime = 7 * 86400

    static func directory(_ paths: LabPaths, _ side: Side) -> String { paths.run + "/\(side.rawValue)-sshd" }

    /// Paths only the legacy host keeps (the store host sees them empty), and the reverse.
    static func legacyOnly(_ paths: LabPaths) -> [String] { [paths.spool, paths.saved, paths.archive, paths.homes] }
    static func storeOnly(_ paths: LabPaths) -> [String] { [paths.storeRoot] }

    /// Starts both servers (the built `executable`'s directory first on their sessions' PATH) and
    /// rewrites every lab plan to reach them.
    public static func up(_ paths: LabPaths, executable: String) throws {
        let path = URL(fileURLWithPath: executable).deletingLastPathComponent().path + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        var servers: [Side: SSHDInstance] = [:]
        for side in Side.allCases {
            let dir = directory(paths, side)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let hidden = side == .legacy ? storeOnly(paths) : legacyOnly(paths)
            for d in hidden { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
            do {
                let server = try SSHDInstance.start(in: dir, maxLifetime: lifetime, environment: ["PATH": path], privateMounts: hidden)
                server.detach()
                servers[side] = server
            } catch {
                _ = down(paths)
                throw LabError("the lab's \(side.rawValue) sshd did not start: \(error)", hint: "separate hosts need root (unshare -m, mount) and /usr/sbin/sshd")
            }
        }
        for strategy in LabPlans.strategies {
            let file = paths.plan(strategy)
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let (plan, rewritten) = rewrite(plan: text, legacy: connectFields(servers[.legacy]!), store: connectFields(servers[.store]!))
            guard rewritten == 2 else { throw LabError("\(file): found \(rewritten) of the 2 host lines to point at the lab's sshd") }
            try plan.write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    /// Stops the servers `up` started; the names of those that were running.
    public static func down(_ paths: LabPaths) -> [String] {
        Side.allCases.compactMap { side in
            let pidFile = directory(paths, side) + "/sshd.pid"
            guard LabProcess.livePid(pidFile) != nil else { return nil }
            LabProcess.stop(pidFile: pidFile)
            return "\(side.rawValue) sshd"
        }
    }

    /// True when `up` made this lab's hosts separate.
    public static func isSeparate(_ paths: LabPaths) -> Bool {
        FileManager.default.fileExists(atPath: directory(paths, .legacy) + "/ssh_config")
    }

    /// The plan's `legacy:` and `store:` host lines with `connect: local,` replaced by `legacy`
    /// and `store` (the fields `connectFields` gives); how many lines it rewrote.
    public static func rewrite(plan text: String, legacy: String, store: String) -> (String, Int) {
        var rewritten = 0
        let plan = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let fields = line.hasPrefix("  legacy:") ? legacy : line.hasPrefix("  store:") ? store : nil
            guard let fields, let local = line.range(of: "connect: local,") else { return String(line) }
            rewritten += 1
            return line.replacingCharacters(in: local, with: fields)
        }.joined(separator: "\n")
        return (plan, rewritten)
    }

    /// A plan host's fields that reach `server` (its lab name kept; ssh's `HostName` reaches it).
    public static func connectFields(_ server: SSHDInstance) -> String {
        """
        connect: ssh, user: "\(server.user)", port: \(server.port), \
        identity_file: "\(server.clientKey)", ssh_options: ["HostName=127.0.0.1", "UserKnownHostsFile=\(server.knownHosts)", \
        "GlobalKnownHostsFile=/dev/null", "IdentitiesOnly=yes"],
        """
    }

    /// Files each host wrote where the other side's data lives (its private, hidden copy of those
    /// directories): `host: path` lines; empty when every write landed on its own side. Asked over
    /// ssh, as it can only be seen from inside each host's namespace.
    public static func wrongSideFiles(_ paths: LabPaths) throws -> [String] {
        var found: [String] = []
        for side in Side.allCases {
            let dir = directory(paths, side)
            let port = try String(contentsOfFile: dir + "/sshd_config", encoding: .utf8).split(separator: "\n")
                .first { $0.hasPrefix("Port ") }.map { String($0.dropFirst(5)) } ?? ""
            let hidden = side == .legacy ? storeOnly(paths) : legacyOnly(paths)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
            p.arguments = ["-F", dir + "/ssh_config", "-p", port, "-o", "BatchMode=yes", "127.0.0.1", "find " + hidden.map(shellQuoted).joined(separator: " ") + " -type f"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw LabError("cannot list the \(side.rawValue) host's files over ssh (exit \(p.terminationStatus))") }
            found += text.split(separator: "\n").map { "\(side.rawValue): \($0)" }
        }
        return found
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

extension LabVerifier.Report {
    /// With separate hosts: a mismatch for every file a host wrote on the other side.
    public mutating func addSeparateHostsCheck(_ paths: LabPaths) throws {
        let wrong = try LabSeparateHosts.wrongSideFiles(paths)
        if wrong.isEmpty {
            lines.append("hosts: separate; nothing written on the wrong side (legacy: no store files, store: no spool, saved, archive or home files)")
        }
        problems += wrong.map { "written on the wrong side: \($0)" }
    }
}
