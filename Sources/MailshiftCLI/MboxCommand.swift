import Diagnostics
import ArgumentParser
import Foundation
import MailboxDriver
import Steps

/// `mailshift mbox`: standalone mailbox tools (admins use them before planning; the mailbox
/// steps run them as the agent on remote hosts, reading their JSON).
struct MboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbox",
        abstract: "Inspect, import and verify mbox mailboxes.",
        subcommands: [MboxInspectCommand.self, MboxImportCommand.self, MboxVerifyCommand.self, MboxRetireCommand.self])
}

/// Options shared by the mbox subcommands.
struct MboxReadingOptions: ParsableArguments {
    @Option(name: .long, help: "Time zone of From_ dates without a zone (IANA name; default: this host's).")
    var timezone: String?
    @Option(name: .customLong("if-ambiguous"), help: "With --variant auto, how to read a mailbox mboxo and mboxrd read differently (refuse, mboxo, mboxrd; inspect reports it either way).")
    var ifAmbiguous: AmbiguousReading = .refuse

    func timeZone() throws -> TimeZone {
        guard let timezone else { return TimeZone.current }
        guard let tz = TimeZone(identifier: timezone) else { throw ValidationError("unknown time zone '\(timezone)'") }
        return tz
    }
}

/// Prints a driver error the way the CLI prints errors, and picks the exit code: 75
/// (EX_TEMPFAIL) for transient failures, so an agent's caller can retry, else 1.
enum MboxCommandFailure {
    static func exit(_ error: Error) -> ExitCode {
        if let f = error as? any StepFailure {
            let message = f.subject?.trimmed(f.summary) ?? f.summary
            Console.error(DiagnosticRenderer().render(.error("mbox.failed", message, hint: f.hint, subject: f.subject)))
            return f.disposition == .transient ? ExitCode(75) : ExitCode(1)
        }
        Console.fail("\(error)")
        return ExitCode(1)
    }
}
