import ArgumentParser
import Foundation
import MailboxDriver

/// `mailshift agent`: the host side of the orchestrator's typed requests (hidden: the
/// orchestrator runs it over ssh, people do not). The protocol is in `AgentProtocol` and
/// docs/hosts.md; stdin and stdout carry it, stderr only diagnostics.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Serve one request of the orchestrator on stdin and stdout.", shouldDisplay: false)

    func run() throws {
        let status = AgentServer.serve(input: 0, output: 1, version: Mailshift.version)
        if status != 0 { throw ExitCode(status) }
    }
}
