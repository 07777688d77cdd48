import ArgumentParser
import CommandDriver
import Foundation

/// `mailshift agent-file OP PATH`: the agent side of `.forward` file work on an ssh host (hidden:
/// the orchestrator runs it, people do not). One JSON answer on stdout; a refusal on stderr with
/// exit 1 (75 when retrying can help).
struct AgentFileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-file", abstract: "Read, write, prepare or remove a .forward-like file for the orchestrator.",
        shouldDisplay: false)

    @Argument(help: "read, write, prepare or remove.") var operation: String
    @Argument(help: "The file (an absolute path from the plan).") var path: String
    @Option(name: .long, help: "The login that owns a written or created file.") var owner: String?
    @Option(name: .long, help: "mode:uid:gid to give a written file.") var attributes: String?

    func run() async throws {
        guard let op = ForwardFileAgent.Operation(rawValue: operation) else {
            throw ValidationError("operation must be one of \(ForwardFileAgent.Operation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let input = op == .write ? FileHandle.standardInput.readDataToEndOfFile() : Data()
        do {
            let answer = try await ForwardFileAgent.perform(op, path: path, owner: owner, attributes: attributes, input: input)
            try Console.printJSON(answer)
        } catch {
            throw MboxCommandFailure.exit(error)
        }
    }
}
