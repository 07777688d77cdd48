import ArgumentParser
import Foundation
import Glibc
import MailboxDriver

/// `mailshift-bench hostile`: mailboxes shaped by an outside sender rather than by mail users:
/// very many tiny messages (an import's memory and time per message), and many identical copies
/// of one message (verify's matching of duplicates) against as many distinct ones.
///
/// Each measured phase runs in a child process of its own, so its peak RSS (`ru_maxrss`) is
/// that phase's alone.
struct HostileBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile", abstract: "Import of very many tiny messages; verify of identical against distinct messages.")

    @Option(help: "Tiny messages in the import mailbox.") var messages = 1_500_000
    @Option(help: "Messages in each verify mailbox (identical, distinct).") var verifyMessages = 80_000
    @Option(help: "Work directory (mailboxes, Maildirs).") var work = "/var/tmp/mailshift-bench-hostile"
    @Option(help: "Internal: run one phase and print its figures.") var phase: String?

    struct Figures: Codable {
        var phase: String
        var seconds: Double
        /// User + system CPU seconds: steadier than wall time on a shared disk, where creating
        /// files waits on other work.
        var cpu: Double
        var messages: Int
        var peakKB: Int
    }

    func run() async throws {
        if let phase { return try runPhase(phase) }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let tinyBytes = try writeMailbox(work + "/tiny.mbox", count: messages, message: Self.tinyMessage)
        say("tiny: \(messages) messages, \(tinyBytes / 1_000_000) MB")
        _ = try writeMailbox(work + "/identical.mbox", count: verifyMessages, message: Self.identicalMessage)
        _ = try writeMailbox(work + "/distinct.mbox", count: verifyMessages, message: Self.distinctMessage)
        for name in ["tiny", "identical", "distinct"] { _ = try runTool(["/usr/bin/rm", "-rf", "\(work)/\(name).maildir"]) }
        var rows: [Figures] = []
        rows.append(try child("import"))
        rows.append(try child("reimport"))
        for name in ["identical", "distinct"] {
            _ = try MboxImport.run(file: "\(work)/\(name).mbox", maildir: "\(work)/\(name).maildir", options: MboxImportOptions())
            rows.append(try child("verify-\(name)"))
        }
        say("phase               seconds   CPU s   messages/s   peak RSS MB")
        for r in rows {
            let pad = r.phase.padding(toLength: 20, withPad: " ", startingAt: 0)
            say(pad + String(format: "%7.2f   %5.2f   %10.0f   %11.1f", r.seconds, r.cpu, Double(r.messages) / r.seconds, Double(r.peakKB) / 1024))
        }
        if let imp = rows.first(where: { $0.phase == "import" }) {
            BenchResult(name: "hostile tiny-message import peak RSS", value: Double(imp.peakKB) / 1024, unit: "MB", target: "<= 64 MB",
                met: imp.peakKB <= 64 << 10).emit()
        }
        if let same = rows.first(where: { $0.phase == "verify-identical" }), let other = rows.first(where: { $0.phase == "verify-distinct" }) {
            let ratio = same.seconds / other.seconds
            BenchResult(name: "verify identical vs distinct", value: same.seconds, unit: "s", baseline: other.seconds, peer: "distinct messages",
                ratio: ratio, target: "<= 2x distinct", met: ratio <= 2).emit()
        }
        for name in ["tiny", "identical", "distinct"] { _ = try runTool(["/usr/bin/rm", "-rf", "\(work)/\(name).maildir"]) }
    }

    /// Unbuffered: the figures show before the minutes it takes to remove 1.5 M files.
    func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    /// Runs one phase in a fresh process and reads back its figures.
    func child(_ phase: String) throws -> Figures {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["hostile", "--phase", phase, "--work", work, "--messages", String(messages), "--verify-messages", String(verifyMessages)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last(where: { $0.hasPrefix("PHASE ") })
        else { throw ValidationError("phase \(phase) failed (status \(p.terminationStatus))") }
        return try JSONDecoder().decode(Figures.self, from: Data(line.dropFirst(6).utf8))
    }

    func runPhase(_ phase: String) throws {
        let t0 = Date()
        let count: Int
        switch phase {
        case "import", "reimport":
            let r = try MboxImport.run(file: work + "/tiny.mbox", maildir: work + "/tiny.maildir", options: MboxImportOptions())
            guard r.messages == messages, r.imported + r.present == messages else {
                throw ValidationError("imported \(r.imported), present \(r.present) of \(r.messages)")
            }
            count = r.messages
        case "verify-identical", "verify-distinct":
            let name = String(phase.dropFirst("verify-".count))
            let r = try MailboxVerify.run(
                file: "\(work)/\(name).mbox", maildir: "\(work)/\(name).maildir", variant: .auto, timeZone: TimeZone(identifier: "UTC")!,
                mode: .digest)
            guard r.passed, r.sourceMessages == verifyMessages else { throw ValidationError("verify \(name) did not pass") }
            count = r.sourceMessages
        default:
            throw ValidationError("unknown phase \(phase)")
        }
        let seconds = Date().timeIntervalSince(t0)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let cpu = s(usage.ru_utime) + s(usage.ru_stime)
        let f = Figures(phase: phase, seconds: seconds, cpu: cpu, messages: count, peakKB: usage.ru_maxrss)
        print("PHASE " + String(decoding: try JSONEncoder().encode(f), as: UTF8.self))
    }

    static let date = "Mon Jan  1 00:00:00 2024"

    static func tinyMessage(_ i: Int) -> String { "From b \(date)\n\n\(i)\n\n" }

    static func identicalMessage(_ i: Int) -> String { body("<same@example.org>") }

    static func distinctMessage(_ i: Int) -> String { body("<\(i)@example.org>") }

    static func body(_ id: String) -> String {
        "From sender@example.org \(date)\nFrom: sender@example.org\nTo: user@example.org\nSubject: offer\nMessage-ID: \(id)\n\n"
            + String(repeating: "A line of an ordinary body that is the same in every copy.\n", count: 4) + "\n"
    }

    /// Writes `count` messages in 1 MB chunks; returns the file's size.
    func writeMailbox(_ path: String, count: Int, message: (Int) -> String) throws -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(path)") }
        defer { close(fd) }
        var chunk: [UInt8] = []
        var total = 0
        func flush() throws {
            let n = chunk.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n == chunk.count else { throw ValidationError("short write to \(path)") }
            total += n
            chunk.removeAll(keepingCapacity: true)
        }
        for i in 0..<count {
            chunk.append(contentsOf: message(i).utf8)
            if chunk.count >= 1 << 20 { try flush() }
        }
        try flush()
        return total
    }
}
