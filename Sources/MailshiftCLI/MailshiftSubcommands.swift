import ArgumentParser

/// Every subcommand, in the order `--help` lists them. Add one line per new command file.
enum MailshiftSubcommands {
    static let all: [any ParsableCommand.Type] = [
        CheckCommand.self,
        GraphCommand.self,
        PreflightCommand.self,
        RunCommand.self,
        ResumeCommand.self,
        SyncCommand.self,
        StatusCommand.self,
        ReportCommand.self,
        ApproveCommand.self,
        UnlockCommand.self,
        RollbackCommand.self,
        MboxCommand.self,
        LabCommand.self,
        AgentFileCommand.self,
        AgentCommand.self,
    ]
}
