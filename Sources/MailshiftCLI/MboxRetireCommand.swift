import ArgumentParser
import Foundation
import MailboxDriver

/// `mailshift mbox retire FILE --mode archive|delete --expect IDENTITY`: the agent side of
/// `source.retire` on ssh hosts. Refuses unless the file is exactly the one verify saw.
struct MboxRetireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Archive or delete a verified mailbox, only if it is unchanged since verify.")

    @Argument(help: "The mbox file.") var file: String
    @Option(name: .long, help: "What to do with the mailbox.") var mode: RetireAction
    @Option(name: .long, help: "Where archive moves the file (never overwritten).") var archiveTo: String?
    @Option(name: .long, help: "The identity verify recorded (inode:size:mtime_ns, or 'absent').") var expect: String
    @Option(name: .long, help: "The edge digest verify recorded (first and last 4 KiB), when it has one.") var expectEdges: String?
    @Option(name: .long, help: "What to print.") var format: OutputFormat = .text

    func validate() throws {
        guard mode == .delete || archiveTo?.hasPrefix("/") == true else { throw ValidationError("archive needs an absolute --archive-to") }
    }

    func run() throws {
        let result: SourceRetire.Result
        do {
            result = try SourceRetire.run(mbox: file, mode: mode.rawValue, archivePath: archiveTo, verifiedIdentity: expect, verifiedEdges: expectEdges)
        } catch {
            throw MboxCommandFailure.exit(error)
        }
        if format == .json { return try Console.printJSON(result) }
        let what = result.mode == "archive" ? "archived to \(result.archivedTo ?? "")" : "deleted"
        print("\(file): \(result.acted ? what : "already \(what)")")
    }
}
