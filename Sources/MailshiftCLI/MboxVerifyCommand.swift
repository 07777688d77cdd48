import ArgumentParser
import Foundation
import MailboxDriver
import Steps

/// `mailshift mbox verify FILE --maildir DIR`: the import whole, by count or per-message digest.
struct MboxVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check that every message of an mbox file is in the Maildir (exit 1 if not).")

    @Argument(help: "The mbox file.") var file: String
    @Option(name: .long, help: "The Maildir.") var maildir: String
    @Option(name: .long, help: "How to compare.") var mode: VerifyMode = .digest
    @Option(name: .long, help: "Variant the import used (auto detects).") var variant: MboxVariant = .auto
    @Option(name: .long, help: "What to print (json always exits 0 once it has a verdict).") var format: OutputFormat = .text
    @OptionGroup var reading: MboxReadingOptions


    func run() throws {
        let report: MailboxVerify.Report
        do {
            report = try MailboxVerify.run(
                file: file, maildir: maildir, variant: variant, timeZone: try reading.timeZone(),
                mode: MailboxVerify.Mode(rawValue: mode.rawValue) ?? .digest)
        } catch {
            throw MboxCommandFailure.exit(error)
        }
        if format == .json { return try Console.printJSON(report) }
        print("\(file): \(report.passed ? "passed" : "FAILED") (\(report.mode)): source \(report.sourceMessages), Maildir \(report.destinationMessages)")
        for m in report.missing.prefix(20) { print("  missing: \(m)") }
        for e in report.extra.prefix(20) { print("  extra: \(e)") }
        if !report.passed { throw ExitCode(1) }
    }
}
