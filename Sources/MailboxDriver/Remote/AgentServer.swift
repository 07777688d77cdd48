import Foundation
import Steps
import SystemCalls

/// `mailshift agent`: serves one request on a pair of descriptors (stdin and stdout of an ssh
/// session, or a pipe pair when the host is this machine and the agent runs in-process).
public enum AgentServer {
    /// Says hello, reads one request, serves it. Returns the exit status (0: served).
    public static func serve(input: Int32, output: Int32, version: String) -> Int32 {
        do {
            try JSONLine.write(output, AgentHello(version: version))
        } catch {
            return 1
        }
        let request: AgentRequest
        do {
            guard let line = try JSONLine.read(input) else { return 0 }  // the orchestrator only checked the version
            request = try JSONDecoder().decode(AgentRequest.self, from: line)
        } catch {
            try? JSONLine.write(output, StoreAnswer(failure: AgentFailure(message: "the request is not understood: \(error)")))
            return 1
        }
        switch request.op {
        case .readMailbox, .sourceDigests, .readFile, .readHold:
            let out = FrameWriter(fd: output)
            do {
                switch request.op {
                case .readMailbox: try SourceStream.messages(request, to: out)
                case .readFile: try SourceStream.file(request, to: out)
                case .readHold: try SourceStream.hold(request, to: out)
                default: try SourceStream.digests(request, to: out)
                }
                try out.flush()
                return 0
            } catch {
                // A broken pipe means the orchestrator is gone: nobody to tell.
                try? out.write(.failure, json: failure(error))
                try? out.flush()
                return 1
            }
        case .writeMaildir, .verifyMaildir, .importCommand, .releaseHeld:
            let input = FrameReader(fd: input)
            let answer: StoreAnswer
            do {
                switch request.op {
                case .writeMaildir: answer = StoreAnswer(imported: try StoreSink.writeMaildir(request, from: input))
                case .importCommand:
                    let cancel = CancelFlag()
                    let watch = OrchestratorWatch(output: output, cancel: cancel)
                    defer { watch.stop() }
                    answer = StoreAnswer(command: try StoreCommandImport.run(request, from: input, cancel: cancel))
                case .releaseHeld: answer = StoreAnswer(imported: try StoreHeldRelease.run(request, from: input))
                default: answer = StoreAnswer(verified: try StoreSink.verifyMaildir(request, from: input))
                }
            } catch {
                try? JSONLine.write(output, StoreAnswer(failure: failure(error)))
                return 1
            }
            do {
                try JSONLine.write(output, answer)
            } catch {
                return 1
            }
            return 0
        }
    }

    /// Any error as the protocol's failure value (a step failure keeps its hint and disposition).
    static func failure(_ error: any Error) -> AgentFailure {
        switch error {
        case let f as AgentFailure: f
        case let f as any StepFailure: AgentFailure(message: f.summary, hint: f.hint, transient: f.disposition == .transient)
        case let e as Errno: AgentFailure(message: String(cString: strerror(e.code)), transient: true)
        default: AgentFailure(message: "\(error)")
        }
    }
}
