import ArgumentParser
import Digest
import Foundation
import Glibc
import Lab
import MailboxDriver

/// `mailshift-bench mailbox`: importing a corpus of mailboxes (every variant) into Maildirs,
/// against the file-creation floor (`tar -x`), write+fsync+rename per message, and Dovecot's
/// `doveadm import`. Each run gets a freshly made ext4 file system on a loop device when
/// possible (creating files right after deleting as many is noisy on a shared disk).
struct MailboxBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbox", abstract: "Mailbox import throughput and memory against tar, fsync-per-file and doveadm import.")

    @Option(help: "Users (mailboxes); variants cycle mboxo, mboxrd, mboxcl, mboxcl2, solaris.") var users = 20
    @Option(help: "Messages per mailbox.") var messages = 2000
    @Option(help: "Average body bytes of an ordinary message.") var bodyBytes = 5200
    @Option(help: "Work directory (corpus, images).") var work = "/var/tmp/mailshift-bench-mailbox"
    @Option(help: "Mailboxes imported at once (the plan's parallel).") var parallel = 4
    @Option(help: "Messages per durable batch.") var batch = 1024
    @Option(help: "Runs of the fast methods (mailshift, tar); the best is reported (the disk is shared).") var runs = 3
    @Flag(help: "Use fresh directories instead of loop-mounted ext4 file systems.") var noLoop = false
    @Flag(help: "Skip the slow peers (fsync per file, doveadm).") var skipSlow = false
    @Flag(help: "Only time the import's parts (read, digest) on one core.") var profile = false

    struct Row {
        var method: String
        var seconds: Double
        var files: Int
        var peakKB: Int?
        var note: String
        /// CPU seconds (user + system) of whoever did the work: steadier than wall time on a busy machine.
        var cpu: Double?
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let corpusDir = work + "/corpus"
        let (mboxes, corpusBytes, storedBytes) = try makeCorpus(corpusDir)
        print("corpus: \(users) mailboxes × \(messages) messages, \(corpusBytes / 1_000_000) MB of mbox, \(storedBytes / 1_000_000) MB stored")
        if profile {
            try profileParts(mboxes)
            return
        }
        var rows: [Row] = []
        let tarball = work + "/maildirs.tar"

        // mailshift: durable before it returns. First the way it runs (unnamed staging where the
        // file system has it), then with the classic tmp/ files and renames, for comparison.
        for staging in [MaildirWriter.Staging.automatic, .temporaryFiles] {
            rows.append(try await best { try await onFreshFS("mailshift") { root in
                resetPeakMemory()
                let c0 = cpuSeconds()
                let t0 = Date()
                try await forEachMailbox(mboxes) { i, mbox in
                    var options = MboxImportOptions(timeZone: TimeZone(identifier: "UTC")!, ifAmbiguous: .mboxo)
                    options.batchMessages = batch
                    options.staging = staging
                    _ = try MboxImport.run(file: mbox, maildir: "\(root)/user\(i)", options: options)
                }
                let s = Date().timeIntervalSince(t0)
                let cpu = cpuSeconds() - c0
                let peak = peakMemoryKB()
                let files = countFiles(root)
                if staging == .automatic { _ = try runTool(["/usr/bin/tar", "-cf", tarball, "-C", root, "."]) }
                let how = staging == .automatic ? "mailshift import (durable)" : "mailshift import, tmp/ + rename"
                return Row(method: how, seconds: s, files: files, peakKB: peak, note: "syncfs per batch of \(batch), \(parallel) at once", cpu: cpu)
            } })
        }
        // The floor: the same files extracted, nothing made durable.
        rows.append(try await best { try await onFreshFS("tar") { root in
            let c0 = cpuSeconds(children: true)
            let t0 = Date()
            _ = try runTool(["/usr/bin/tar", "-xf", tarball, "-C", root])
            return Row(method: "tar -x (floor, no fsync)", seconds: Date().timeIntervalSince(t0), files: countFiles(root), note: "",
                cpu: cpuSeconds(children: true) - c0)
        } })
        rows.append(try await best { try await onFreshFS("tarsync") { root in
            let t0 = Date()
            _ = try runTool(["/usr/bin/tar", "-xf", tarball, "-C", root])
            let fd = open(root, O_RDONLY | O_DIRECTORY)
            fsync(fd)
            _ = try runTool(["/usr/bin/sync", "-f", root])
            close(fd)
            return Row(method: "tar -x, then sync -f", seconds: Date().timeIntervalSince(t0), files: countFiles(root), note: "durable floor")
        } })
        if skipSlow { return printTable(rows, expected: users * messages) }
        // The usual way to be durable: fsync each file and its directory.
        rows.append(try await onFreshFS("fsync") { root in
            let t0 = Date()
            try await forEachMailbox(mboxes) { i, mbox in try FsyncPerFileImport.run(mbox, "\(root)/user\(i)") }
            return Row(method: "write+fsync+rename per file", seconds: Date().timeIntervalSince(t0), files: countFiles(root), note: "same reader")
        })
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/doveadm") {
            rows.append(try await onFreshFS("doveadm") { root in
                let conf = work + "/empty.conf"
                _ = FileManager.default.createFile(atPath: conf, contents: Data())
                chown(root, 65534, 65534)
                let t0 = Date()
                try await forEachMailbox(mboxes) { i, mbox in
                    let dest = "\(root)/user\(i)"
                    let mboxRoot = "\(root)/mboxroot\(i)"
                    mkdir(dest, 0o700); chown(dest, 65534, 65534)
                    mkdir(mboxRoot, 0o700); chown(mboxRoot, 65534, 65534)
                    let status = try runTool(
                        ["/usr/bin/doveadm", "-c", conf, "-o", "mail_location=maildir:\(dest):INDEX=MEMORY", "-o", "mail_uid=65534",
                         "-o", "mail_gid=65534", "-o", "first_valid_uid=1", "-o", "first_valid_gid=1",
                         "import", "mbox:\(mboxRoot):INBOX=\(mbox):INDEX=MEMORY", "", "ALL"],
                        environment: ["USER": "nobody", "HOME": dest, "PATH": "/usr/bin:/bin"])
                    if status != 0 { throw ValidationError("doveadm import exited \(status)") }
                }
                return Row(method: "doveadm import", seconds: Date().timeIntervalSince(t0), files: countFiles(root), note: "fsync per message, keeps >From")
            })
        } else {
            rows.append(Row(method: "doveadm import", seconds: .nan, files: 0, note: "skipped: doveadm not installed"))
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/mb2md") {
            rows.append(try await onFreshFS("mb2md") { root in
                let t0 = Date()
                try await forEachMailbox(mboxes) { i, mbox in
                    let status = try runTool(["/usr/bin/mb2md", "-s", mbox, "-d", "\(root)/user\(i)"], environment: ["HOME": root, "PATH": "/usr/bin:/bin"])
                    if status != 0 { throw ValidationError("mb2md exited \(status)") }
                }
                return Row(method: "mb2md", seconds: Date().timeIntervalSince(t0), files: countFiles(root), note: "no fsync")
            })
        } else {
            rows.append(Row(method: "mb2md", seconds: .nan, files: 0, note: "skipped: not installed"))
        }
        printTable(rows, expected: users * messages)
    }

    /// Where an import's time goes, single-threaded: one read pass, one canonical-digest pass,
    /// and raw SHA-256 over the same bytes.
    func profileParts(_ mboxes: [String]) throws {
        let utc = TimeZone(identifier: "UTC")!
        var t0 = Date()
        for m in mboxes {
            let r = try MboxReader(path: m, variant: .auto, timeZone: utc, ifAmbiguous: .mboxo)
            var t = MboxTally()
            try r.read(into: &t)
        }
        print(String(format: "profile: read pass %.2f s", Date().timeIntervalSince(t0)))
        t0 = Date()
        for m in mboxes {
            _ = try MailboxVerify.run(file: m, maildir: work + "/none", variant: .auto, timeZone: utc, mode: .digest)
        }
        print(String(format: "profile: read + canonical SHA-256 pass (verify) %.2f s", Date().timeIntervalSince(t0)))
        t0 = Date()
        for m in mboxes {
            _ = try MboxImport.preview(file: m, maildir: work + "/none", options: MboxImportOptions(timeZone: utc, deduplicate: true, ifAmbiguous: .mboxo))
        }
        print(String(format: "profile: read + canonical XXH64 pass (import keys) %.2f s", Date().timeIntervalSince(t0)))
        t0 = Date()
        var total = 0
        for m in mboxes {
            let data = try Data(contentsOf: URL(fileURLWithPath: m))
            var h = SHA256()
            data.withUnsafeBytes { h.update($0) }
            _ = h.finalize()
            total += data.count
        }
        let s = Date().timeIntervalSince(t0)
        print(String(format: "profile: SHA-256 alone %.2f s (%.0f MB/s)", s, Double(total) / s / 1e6))
    }

    // MARK: corpus

    func makeCorpus(_ dir: String) throws -> ([String], Int, Int) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(work, 0o755)
        chmod(dir, 0o755)
        var paths: [String] = []
        var total = 0
        var stored = 0
        let variants = MboxCorpus.Variant.allCases
        for i in 0..<users {
            let path = "\(dir)/user\(i)"
            let options = MboxCorpus.Options(
                seed: UInt64(1000 + i), messages: messages, variant: variants[i % variants.count], averageBodyBytes: bodyBytes,
                largeMessages: 2, largeBytes: 2 << 20, digests: false)
            let manifestPath = path + ".bytes"
            if let text = try? String(contentsOfFile: manifestPath, encoding: .utf8), let s = Int(text),
                FileManager.default.fileExists(atPath: path)
            {
                stored += s
            } else {
                let m = try MboxCorpus.write(to: path, options: options)
                try String(m.storedBytes).write(toFile: manifestPath, atomically: true, encoding: .utf8)
                stored += m.storedBytes
            }
            chmod(path, 0o444)  // doveadm must not rewrite its source
            total += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            paths.append(path)
        }
        return (paths, total, stored)
    }

    // MARK: fresh file systems

    func onFreshFS(_ name: String, _ body: (String) async throws -> Row) async throws -> Row {
        let mnt = "\(work)/mnt-\(name)"
        let image = "\(work)/\(name).img"
        try? FileManager.default.removeItem(atPath: mnt)
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        var mounted = false
        if !noLoop && geteuid() == 0 {
            let size = max(1 << 30, users * messages * 24_000)
            if truncate(image, off_t(size)) == 0 || (FileManager.default.createFile(atPath: image, contents: nil) && truncate(image, off_t(size)) == 0),
                (try? runTool(["/usr/sbin/mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", image])) == 0,
                (try? runTool(["/usr/bin/mount", "-o", "loop", image, mnt])) == 0
            {
                mounted = true
            }
        }
        _ = try runTool(["/usr/bin/sync"])
        defer {
            if mounted { _ = try? runTool(["/usr/bin/umount", mnt]) }
            try? FileManager.default.removeItem(atPath: image)
            try? FileManager.default.removeItem(atPath: mnt)
        }
        var row = try await body(mnt)
        if !mounted { row.note += (row.note.isEmpty ? "" : "; ") + "fresh directory" }
        return row
    }

    /// The fastest of `runs` runs (peak memory: the largest seen).
    func best(_ run: () async throws -> Row) async throws -> Row {
        var rows: [Row] = []
        for _ in 0..<max(1, runs) { rows.append(try await run()) }
        var b = rows.min { $0.seconds < $1.seconds }!
        b.peakKB = rows.compactMap(\.peakKB).max()
        b.cpu = rows.compactMap(\.cpu).min()
        if runs > 1 { b.note += (b.note.isEmpty ? "" : "; ") + "best of \(runs): " + rows.map { String(format: "%.2f", $0.seconds) }.joined(separator: " ") }
        return b
    }

    func forEachMailbox(_ mboxes: [String], _ work: @escaping @Sendable (Int, String) throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(parallel, mboxes.count) {
                let i = next
                next += 1
                group.addTask { try work(i, mboxes[i]) }
            }
            while try await group.next() != nil {
                if next < mboxes.count {
                    let i = next
                    next += 1
                    group.addTask { try work(i, mboxes[i]) }
                }
            }
        }
    }

    // MARK: report

    func printTable(_ rows: [Row], expected: Int) {
        let floor = rows.first { $0.method.hasPrefix("tar") }?.seconds ?? .nan
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        print(pad("method", 30) + pad("seconds", 10) + pad("× tar", 8) + pad("files", 9) + pad("peak MB", 9) + "note")
        for r in rows {
            let secs = r.seconds.isNaN ? "-" : String(format: "%.2f", r.seconds)
            let ratio = r.seconds.isNaN || floor.isNaN ? "-" : String(format: "%.2f", r.seconds / floor)
            let peak = r.peakKB.map { String(format: "%.1f", Double($0) / 1024) } ?? "-"
            let files = r.seconds.isNaN ? "-" : String(r.files) + (r.files == expected ? "" : "!")
            print(pad(r.method, 30) + pad(secs, 10) + pad(ratio, 8) + pad(files, 9) + pad(peak, 9) + r.note)
        }
        print("expected files: \(expected) (a ! marks a different count)")
        for r in rows { if let c = r.cpu { print(String(format: "cpu (user+sys, best run) %@: %.2f s", r.method, c)) } }
        emitResults(rows, expected: expected)
    }

    /// The headline figures against the tar floor and the peers of the same run.
    func emitResults(_ rows: [Row], expected: Int) {
        guard let ours = rows.first(where: { $0.method.hasPrefix("mailshift") }) else { return }
        let corpus = "\(users) mboxes × \(messages) msgs"
        if let tar = rows.first(where: { $0.method.hasPrefix("tar -x (") }) {
            let r = ours.seconds / tar.seconds
            BenchResult(name: "mailbox import, durable (\(corpus), \(ours.files) files)", value: ours.seconds, unit: "s",
                baseline: tar.seconds, peer: "tar -x of the same Maildirs (no fsync)", ratio: r, target: "≤ 1.5× tar",
                met: r <= 1.5 && ours.files == expected).emit()
        }
        if let tar = rows.first(where: { $0.method.hasPrefix("tar -x (") }), let a = ours.cpu, let b = tar.cpu {
            BenchResult(name: "mailbox import CPU time (user+sys)", value: a, unit: "s", baseline: b,
                peer: "tar -x CPU time", ratio: a / b, target: "(context: steadier than wall time under load)", met: nil).emit()
        }
        if let classic = rows.first(where: { $0.method.hasPrefix("mailshift import, tmp/") }) {
            BenchResult(name: "mailbox import vs the same with tmp/ files + rename", value: ours.seconds, unit: "s",
                baseline: classic.seconds, peer: "tmp/ staging", ratio: classic.seconds / ours.seconds,
                target: "(context: what unnamed staging saves; speed-up)", met: nil).emit()
        }
        if let sync = rows.first(where: { $0.method.hasPrefix("tar -x, then") }) {
            BenchResult(name: "mailbox import vs durable floor", value: ours.seconds, unit: "s", baseline: sync.seconds,
                peer: "tar -x, then sync -f", ratio: ours.seconds / sync.seconds, target: "(context)", met: nil).emit()
        }
        for (prefix, target, factor) in [("mb2md", "≥ 2× faster", 2.0), ("doveadm", "≥ 10× faster", 10.0)] {
            guard let peer = rows.first(where: { $0.method.hasPrefix(prefix) }), !peer.seconds.isNaN else { continue }
            let speedup = peer.seconds / ours.seconds
            BenchResult(name: "mailbox import vs \(peer.method)", value: ours.seconds, unit: "s", baseline: peer.seconds,
                peer: peer.method + " (\(peer.files) files)", ratio: speedup, target: target + " (speed-up)",
                met: speedup >= factor).emit()
        }
        if let peak = ours.peakKB {
            let mb = Double(peak) / 1024
            BenchResult(name: "mailbox import peak memory (\(parallel) mailboxes at once)", value: mb, unit: "MB", baseline: nil,
                peer: nil, ratio: nil, target: "≤ 64 MB", met: mb <= 64).emit()
        }
    }
}

/// The baseline: the same reader, but each message written, fsynced, renamed and its directory
/// fsynced on its own (what most importers do to be durable).
enum FsyncPerFileImport {
    struct Consumer: MboxConsumer {
        let root: String
        var fd: Int32 = -1
        var n = 0

        mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
            n += 1
            fd = open("\(root)/tmp/\(n)", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            Glibc.write(fd, headers.baseAddress, headers.count)
            return true
        }

        mutating func body(_ bytes: UnsafeRawBufferPointer) throws { Glibc.write(fd, bytes.baseAddress, bytes.count) }

        mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
            fsync(fd)
            close(fd)
            rename("\(root)/tmp/\(n)", "\(root)/new/\(head.from.date).\(n).bench,S=\(storedBytes)")
            let d = open("\(root)/new", O_RDONLY | O_DIRECTORY)
            fsync(d)
            close(d)
        }
    }

    static func run(_ mbox: String, _ root: String) throws {
        for d in [root, root + "/tmp", root + "/new", root + "/cur"] { mkdir(d, 0o700) }
        let reader = try MboxReader(path: mbox, variant: .auto, timeZone: TimeZone(identifier: "UTC")!, ifAmbiguous: .mboxo)
        var c = Consumer(root: root)
        try reader.read(into: &c)
    }
}

func countFiles(_ root: String) -> Int {
    var n = 0
    let e = FileManager.default.enumerator(atPath: root)
    while let p = e?.nextObject() as? String {
        if p.contains("/new/") || p.contains("/cur/") { n += 1 }
    }
    return n
}

/// Resets the kernel's peak-RSS mark (VmHWM) of this process.
func resetPeakMemory() {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    if fd >= 0 { Glibc.write(fd, "5", 1); close(fd) }
}

/// User + system CPU seconds of this process (`RUSAGE_SELF`) or of its waited-for children.
func cpuSeconds(children: Bool = false) -> Double {
    var u = rusage()
    getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func peakMemoryKB() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return nil }
    return Int(line.split(separator: " ").dropFirst().first ?? "")
}

/// Runs a tool (no shell) and returns its exit status.
func runTool(_ argv: [String], environment: [String: String]? = nil) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    if let environment { p.environment = environment }
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}
