import ArgumentParser

/// The root command. Each subcommand lives in its own file; this list is the one place that
/// names them all.
public struct Mailshift: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "mailshift",
        abstract: "Move a legacy mail host's users to a new message store without losing a message.",
        discussion: """
            Write a plan (YAML), check it, preview it against the live systems, then run it.
            A run is recorded in a durable journal: after a crash, a failure or Ctrl-C,
            `mailshift resume PLAN` finishes the job without redoing or duplicating work.

              mailshift check plan.yaml            every mistake at once, with file:line:col
              mailshift graph plan.yaml            the steps the plan compiles to
              mailshift run plan.yaml --dry-run    what each step would change, changing nothing
              mailshift run plan.yaml              do it
            """,
        version: version,
        subcommands: MailshiftSubcommands.all
    )

    public init() {}
}
