import Steps

/// The runners this module implements, by step kind, for the CLI's driver registry.
public enum CommandDriverRunners {
    /// `transport` reaches the hosts (a `HostTransport` in production); `forwardOwner` decides who
    /// owns written `.forward` files (`.mailUser` unless the run cannot chown); `agentExecutable`
    /// is mailshift on ssh hosts, which does their file work.
    public static func runners(
        transport: any CommandTransport, forwardOwner: ForwardOwner = .mailUser, agentExecutable: String = "mailshift"
    ) -> [StepKind: any StepRunner] {
        [
            .serviceStop: ServiceRunner(.stop, transport: transport),
            .serviceStart: ServiceRunner(.start, transport: transport),
            .command: CommandStepRunner(transport: transport),
            .workingCheck: WorkingCheckRunner(transport: transport),
            .userDelete: UserDeleteRunner(transport: transport),
            .forwardDivert: ForwardDivertRunner(transport: transport, owner: forwardOwner, agentExecutable: agentExecutable),
            .forwardRestore: ForwardRestoreRunner(transport: transport, owner: forwardOwner, agentExecutable: agentExecutable),
        ]
    }
}
