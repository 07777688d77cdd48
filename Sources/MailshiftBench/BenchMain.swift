import ArgumentParser

/// `mailshift-bench`: every benchmark of the project, each a subcommand printing its figures.
/// Benchmarks are measured, never asserted by timed tests. Build with `-c release`.
@main
struct MailshiftBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailshift-bench",
        abstract: "Benchmarks for mailshift; each prints its figures and the baseline it compares with.",
        subcommands: BenchSubcommands.all
    )
}

/// Add one line per benchmark file.
enum BenchSubcommands {
    static let all: [any ParsableCommand.Type] = [
        CompileBench.self,
        MailboxBench.self,
        HostileBench.self,
        ExecutorBench.self,
        LDAPBench.self,
        SSHBench.self,
        PrecopyBench.self,
        CrossHostBench.self,
    ]
}
