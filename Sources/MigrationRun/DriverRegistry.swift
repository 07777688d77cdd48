import CommandDriver
import LDAPDriver
import MailboxDriver
import Steps

/// Maps each step kind to the driver that runs it: the one place that knows every driver.
/// `gate` is handled by the executor itself and needs no entry; a kind without an entry fails its
/// steps permanently with "no driver for <kind>".
public enum DriverRegistry {
    /// All drivers, sharing one host transport (so ssh connections are multiplexed across them).
    public static func runners(transport: HostTransport, agentVersion: String) -> @Sendable (StepKind) -> (any StepRunner)? {
        var table: [StepKind: any StepRunner] = [.ldapSet: LDAPSetRunner(), .ldapCreate: LDAPCreateRunner()]
        table.merge(CommandDriverRunners.runners(transport: transport, agentExecutable: "mailshift")) { a, _ in a }
        table.merge(
            MailboxDriverRunners.all(transport: transport, agentExecutable: "mailshift", agentVersion: agentVersion)
        ) { a, _ in a }
        let runners = table
        return { kind in runners[kind] }
    }
}
