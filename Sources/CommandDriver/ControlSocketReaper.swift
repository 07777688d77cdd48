import Foundation
import SystemCalls

/// Finds what a dead run left of its ssh multiplexing: `mailshift-ssh-*` socket directories whose
/// holder (pid and start time, written when the directory was made) is gone, and any master still
/// listening in them (a master outlives a killed run by its ControlPersist). It stops those
/// masters (`ssh -O exit` on the socket) and removes the directories, naming each.
///
/// Only directories owned by this user, reached without a link, are touched; a live run's
/// directory (its holder still running, same start time) is left alone, as is a directory with
/// no holder record younger than a day (a run of an older mailshift may still own it).
public enum ControlSocketReaper {
    static let prefix = "mailshift-ssh-"
    static let holderFile = "holder"

    /// `pid start-time`: who made the directory (start time tells a reused pid apart).
    static func holderRecord(pid: Int32 = ProcessIdentity.processID) -> String { "\(pid) \(startTime(of: pid) ?? 0)\n" }

    /// Reaps leftovers under `parent`; one line per directory removed.
    public static func reap(parent: String = "/tmp", sshConfigFile: String? = nil) -> [String] {
        var lines: [String] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for name in entries where name.hasPrefix(prefix) {
            let dir = "\(parent)/\(name)"
            guard let st = try? FileStatus.of(linkAt: dir), st.kind == .directory, st.owner == ProcessIdentity.effectiveUser else { continue }
            let holder = (try? String(contentsOfFile: "\(dir)/\(holderFile)", encoding: .utf8))?
                .split(separator: " ").compactMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            var why: String
            if let holder, holder.count == 2 {
                let pid = Int32(truncatingIfNeeded: holder[0])
                if startTime(of: pid) == UInt64(holder[1]) { continue }  // its run is alive
                why = "run pid \(pid) ended"
            } else {
                guard Int(Date().timeIntervalSince1970) - st.modifiedSeconds > 86400 else { continue }
                why = "no holder record, a day old"
            }
            var stopped: [String] = []
            for socket in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where socket != holderFile {
                let path = "\(dir)/\(socket)"
                guard (try? FileStatus.of(linkAt: path))?.kind == .socket else { continue }
                if stopMaster(path, configFile: sshConfigFile) { stopped.append(socket) }
            }
            try? FileManager.default.removeItem(atPath: dir)
            if !stopped.isEmpty { why += "; stopped the ssh master on \(stopped.joined(separator: ", "))" }
            lines.append("removed \(dir) (\(why))")
        }
        return lines
    }

    /// Asks the master behind `socket` to exit; true when one answered.
    static func stopMaster(_ socket: String, configFile: String?) -> Bool {
        var args = ["ssh"]
        if let configFile { args += ["-F", configFile] }
        // The destination is required by ssh's syntax and unused: the socket names the master.
        args += ["-o", "ControlPath=\(socket)", "-O", "exit", "mailshift-leftover"]
        let child = ChildProcess(argv: args, stdin: nil, timeout: 10, captureLimit: 4096)
        guard case .success(let result) = child.runBlocking() else { return false }
        return result.status == 0
    }

    /// Field 22 of /proc/PID/stat (clock ticks since boot); nil when there is no such process.
    static func startTime(of pid: Int32) -> UInt64? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
