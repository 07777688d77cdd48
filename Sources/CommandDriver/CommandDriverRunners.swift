import Steps

/// The runners this module implements, by step kind, for the CLI's driver registry.
public enum CommandDriverRunners {
    /// `transport` reaches the hosts (a `HostTransport` in production); `forwardOwner` decides who
    /// owns written `.forward` files (`.mailUser` unless the run cannot chown).
    public static func runners(
        transport: any CommandTransport, forwardOwner: ForwardOwner = .mailUser
    ) -> [StepKind: any StepRunner] {
        [
            .serviceStop: ServiceRunner(.stop, transport: transport),
            .serviceStart: ServiceRunner(.start, transport: transport),
            .command: CommandStepRunner(transport: transport),
            .forwardDivert: ForwardDivertRunner(transport: transport, owner: forwardOwner),
            .forwardRestore: ForwardRestoreRunner(transport: transport, owner: forwardOwner),
        ]
    }
}
