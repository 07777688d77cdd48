import ArgumentParser
import Foundation
import MailboxDriver
import SystemCalls

/// `mailshift mbox import FILE --maildir DIR`: one mailbox into one Maildir, idempotently.
struct MboxImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import one mbox file into a Maildir; re-running adds only what is missing.")

    @Argument(help: "The mbox file.") var file: String
    @Option(name: .long, help: "The Maildir (created if missing).") var maildir: String
    @Option(name: .long, help: "How to read the mailbox (auto detects).") var variant: MboxVariant = .auto
    @Option(name: .long, help: "What to print.") var format: OutputFormat = .text
    @Option(name: .long, help: "Owner of the files written (when run as root).") var owner: String?
    @Flag(name: .long, help: "Take the spool lock (dotlock, then fcntl) while reading.") var lock = false
    @Flag(name: .long, help: "Saved mail: name messages as saved and skip ones already imported.") var saved = false
    @Option(name: .long, help: ArgumentHelp("Messages per durable batch.", visibility: .hidden)) var batchMessages: Int = MboxImportOptions().batchMessages
    @OptionGroup var reading: MboxReadingOptions


    func run() throws {
        var ids: (uid: UInt32, gid: UInt32)?
        if let owner {
            guard let account = ProcessIdentity.account(named: owner) else { throw ValidationError("owner '\(owner)' is not a user on this host") }
            ids = account
        }
        var options = MboxImportOptions(
            variant: variant, timeZone: try reading.timeZone(), tagPrefix: saved ? "s" : "m",
            lock: lock, owner: ids, deduplicate: saved, ifAmbiguous: reading.ifAmbiguous)
        options.batchMessages = max(1, batchMessages)
        let report: MboxImportReport
        do {
            report = try MboxImport.run(file: file, maildir: maildir, options: options)
        } catch {
            throw MboxCommandFailure.exit(error)
        }
        if format == .json {
            try Console.printJSON(report)
        } else {
            print("\(file): \(report.variant)\(report.detected ? " (detected)" : ""), \(report.messages) messages, \(report.bytes) bytes")
            print("  imported \(report.imported) (\(report.importedBytes) bytes), already present \(report.present)"
                + (report.duplicates > 0 ? ", duplicates skipped \(report.duplicates)" : ""))
            for w in report.warnings.prefix(10) { print("  warning: \(w)") }
        }
    }
}
