import CommandDriver
import Steps
import Foundation

/// Runs blocking file work (reading a mailbox, fsyncs) on its own thread, not on Swift's
/// cooperative pool: that pool has one thread per core (two here), and an import blocked in
/// `syncfs` there would stall every other step of the run.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            let thread = Thread {
                do { c.resume(returning: try work()) } catch { c.resume(throwing: error) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}

/// Every runner of this driver, by step kind: what the CLI's driver registry wires.
public enum MailboxDriverRunners {
    public static func all(
        transport: any CommandTransport, agentExecutable: String = "mailshift", agentVersion: String? = nil
    ) -> [StepKind: any StepRunner] {
        [
            .mailboxImport: MailboxImportRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
            .mailboxVerify: MailboxVerifyRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
            .savedImport: SavedImportRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
            .holdRelease: HoldReleaseRunner(transport: transport),
            .sourceRetire: SourceRetireRunner(transport: transport, agentExecutable: agentExecutable, agentVersion: agentVersion),
        ]
    }
}
