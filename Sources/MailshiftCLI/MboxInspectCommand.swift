import ArgumentParser
import Foundation
import MailboxDriver

/// `mailshift mbox inspect FILE...`: variant, count, bytes, date range, flags, warnings.
struct MboxInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Describe mbox files (read-only): variant, messages, size, dates, flags, warnings.")

    @Argument(help: "Mailbox files.") var files: [String]
    @Option(name: .long, help: "What to print.") var format: OutputFormat = .text
    @Option(name: .long, help: "Read as this variant instead of detecting it.") var variant: MboxVariant = .auto
    @Option(name: .long, help: "Also count what an import into this Maildir would add.") var maildir: String?
    @OptionGroup var reading: MboxReadingOptions


    func run() throws {
        let v = variant
        let tz = try reading.timeZone()
        var results: [MboxInspection] = []
        var failed: ExitCode?
        for file in files {
            do {
                results.append(
                    try MboxInspection.of(file: file, variant: v, timeZone: tz, maildir: maildir, ifAmbiguous: reading.ifAmbiguous))
            } catch {
                failed = MboxCommandFailure.exit(error)
            }
        }
        if format == .json {
            try Console.printJSON(results)
        } else {
            for r in results { print(Self.text(r)) }
        }
        if let failed { throw failed }
    }

    static func text(_ r: MboxInspection) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        let detection = r.ambiguous == true ? " (ambiguous: mboxo or mboxrd; read as \(r.variant))" : r.detected ? " (detected)" : ""
        var lines = ["\(r.file): \(r.variant)\(detection), \(r.messages) messages, \(r.bytes) bytes"]
        if let a = r.firstDate, let b = r.lastDate {
            lines.append("  dates: \(f.string(from: Date(timeIntervalSince1970: Double(a)))) … \(f.string(from: Date(timeIntervalSince1970: Double(b))))")
        }
        if !r.flags.isEmpty {
            lines.append("  flags: " + r.flags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if r.skippedInternal > 0 { lines.append("  skipped: \(r.skippedInternal) folder internal data message") }
        if let p = r.pending { lines.append("  not yet imported: \(p) messages, \(r.pendingBytes ?? 0) bytes") }
        if r.warningCount > 0 {
            lines.append("  warnings: \(r.warningCount)")
            lines += r.warnings.prefix(10).map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
