import Foundation
import Steps

/// `HostFiles` on an ssh host, through the mailshift agent there (`mailshift agent-file`), which
/// does the work with descriptors as `LocalHostFiles` does here: no shell script touches a path.
/// The orchestrator passes only paths from the plan and names from the batch.
struct RemoteHostFiles: HostFiles {
    var host: HostEndpoint
    var transport: any CommandTransport
    /// The agent's path on the host (`mailshift` on its PATH by default).
    var agentExecutable: String

    private func call(_ operation: ForwardFileAgent.Operation, _ path: String, owner: String? = nil, attributes: String? = nil,
        input: Data? = nil) async throws -> ForwardFileAgent.Answer
    {
        var argv = [agentExecutable, "agent-file", operation.rawValue, path]
        if let owner { argv += ["--owner", owner] }
        if let attributes { argv += ["--attributes", attributes] }
        let outcome = try await transport.run(argv, on: host, stdin: input, timeout: 60)
        guard outcome.status == 0 else {
            let reason = outcome.stderr.tailText(600)
            throw HostFileFailure(
                host: host.name, path: path, problem: reason.isEmpty ? "the agent exited \(outcome.status)" : reason,
                disposition: outcome.status == 75 ? .transient : .permanent,
                hint: outcome.status == 127 ? "install mailshift on \(host.name) (the agent runs there)" : nil)
        }
        do {
            return try JSONDecoder().decode(ForwardFileAgent.Answer.self, from: outcome.stdout)
        } catch {
            throw HostFileFailure(host: host.name, path: path, problem: "the agent's answer is not understood: \(error)")
        }
    }

    func read(_ path: String) async throws -> ForwardFileState { try await readWithAttributes(path).0 }

    func readWithAttributes(_ path: String) async throws -> (ForwardFileState, ForwardFileAttributes?) {
        let answer = try await call(.read, path)
        guard answer.state == "present" else { return (.absent, nil) }
        guard let text = answer.data, let bytes = Data(base64Encoded: text), bytes.count <= forwardSizeLimit else {
            throw HostFileFailure(host: host.name, path: path, problem: "the agent's answer holds no readable content")
        }
        return (.present(bytes), answer.attributes.flatMap(ForwardFileAttributes.init(encoded:)))
    }

    func write(_ path: String, _ data: Data, owner: String?, attributes: ForwardFileAttributes?) async throws {
        _ = try await call(.write, path, owner: owner, attributes: attributes?.encoded, input: data)
    }

    func prepareAppendTarget(_ path: String, owner: String?) async throws -> Bool {
        try await call(.prepare, path, owner: owner).created ?? false
    }

    func remove(_ path: String) async throws {
        _ = try await call(.remove, path)
    }
}
