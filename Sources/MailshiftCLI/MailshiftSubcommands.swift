import ArgumentParser

/// Every subcommand, in the order `--help` lists them. Add one line per new command file.
enum MailshiftSubcommands {
    static let all: [any ParsableCommand.Type] = [
        CheckCommand.self,
        GraphCommand.self,
        MboxCommand.self,
    ]
}
