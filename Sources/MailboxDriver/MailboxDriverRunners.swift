import CommandDriver
import Steps

/// Every runner of this driver, by step kind: what the CLI's driver registry wires.
public enum MailboxDriverRunners {
    public static func all(
        transport: any CommandTransport, agentExecutable: String = "mailshift", agentVersion: String? = nil
    ) -> [StepKind: any StepRunner] {
        [
            .mailboxImport: MailboxImportRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
            .mailboxVerify: MailboxVerifyRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
            .savedImport: SavedImportRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
            .holdRelease: HoldReleaseRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
            .sourceRetire: SourceRetireRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
        ]
    }
}
