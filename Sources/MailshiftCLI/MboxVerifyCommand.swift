import ArgumentParser
import Foundation
import MailboxDriver

/// `mailshift mbox verify FILE --maildir DIR`: the import whole, by count or per-message digest.
struct MboxVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check that every message of an mbox file is in the Maildir (exit 1 if not).")

    @Argument(help: "The mbox file.") var file: String
    @Option(name: .long, help: "The Maildir.") var maildir: String
    @Option(name: .long, help: "count or digest.") var mode: String = "digest"
    @Option(name: .long, help: "Variant the import used (auto detects).") var variant: String = "auto"
    @Option(name: .long, help: "Output: text or json (json always exits 0 once it has a verdict).") var output: String = "text"
    @OptionGroup var reading: MboxReadingOptions

    func validate() throws {
        guard MailboxVerify.Mode(rawValue: mode) != nil else { throw ValidationError("--mode is count or digest") }
        guard output == "text" || output == "json" else { throw ValidationError("--output is text or json") }
        _ = try MboxReadingOptions.variant(variant)
    }

    func run() throws {
        let report: MailboxVerify.Report
        do {
            report = try MailboxVerify.run(
                file: file, maildir: maildir, variant: try MboxReadingOptions.variant(variant), timeZone: try reading.timeZone(),
                mode: MailboxVerify.Mode(rawValue: mode) ?? .digest)
        } catch {
            throw MboxCommandFailure.exit(error)
        }
        if output == "json" { return try MboxCommandFailure.printJSON(report) }
        print("\(file): \(report.passed ? "passed" : "FAILED") (\(report.mode)): source \(report.sourceMessages), Maildir \(report.destinationMessages)")
        for m in report.missing.prefix(20) { print("  missing: \(m)") }
        for e in report.extra.prefix(20) { print("  extra: \(e)") }
        if !report.passed { throw ExitCode(1) }
    }
}
