import CommandDriver
import Diagnostics
import Foundation
import Steps
import SystemCalls

/// The orchestrator's side of a two-host step: a source agent on the legacy host, a store agent
/// on the store host, and the relay between their sessions (`HostRelay`).
///
/// Order matters for the faults: the store's session opens first (an unreachable store fails
/// before the source's spool lock is taken); a source that ends without its summary has the
/// store's input closed under it, so the store abandons what it staged and nothing partial is
/// published; the step then fails transient and a resume re-sends, the store skipping by name
/// what an earlier attempt published.
struct CrossHostTransfer: Sendable {
    var sessions: any AgentSessionOpening
    var executable: String
    /// The version both agents must report (nil: any, protocol still checked).
    var expectedVersion: String?

    /// Streams `mbox` from `source` into the Maildir on `store`.
    func importMailbox(source: HostEndpoint, store: HostEndpoint, read: AgentRequest, write: AgentRequest) async throws -> (SourceSummary, MboxImportReport) {
        let (summary, answer) = try await transfer(source: source, store: store, read: read, write: write)
        guard let report = answer.imported else { throw TwoHostFailure(.noReport("import"), host: store.name) }
        return (summary, report)
    }

    /// The source's digests relayed to the store, compared there.
    func verify(source: HostEndpoint, store: HostEndpoint, read: AgentRequest, compare: AgentRequest) async throws -> MailboxVerify.Report {
        let (_, answer) = try await transfer(source: source, store: store, read: read, write: compare)
        guard let report = answer.verified else { throw TwoHostFailure(.noReport("verify"), host: store.name) }
        return report
    }

    /// The mailbox file relayed to the store host, where the site's import command runs on a copy.
    func importCommand(source: HostEndpoint, store: HostEndpoint, read: AgentRequest, run: AgentRequest) async throws -> CommandReport {
        let (_, answer) = try await transfer(source: source, store: store, read: read, write: run)
        guard let report = answer.command else { throw TwoHostFailure(.noReport("command"), host: store.name) }
        return report
    }

    func transfer(source: HostEndpoint, store: HostEndpoint, read: AgentRequest, write: AgentRequest) async throws -> (SourceSummary, StoreAnswer) {
        let storeSession = try await open(store)
        let sourceSession: AgentSession
        do {
            sourceSession = try await open(source)
        } catch {
            storeSession.terminate()
            _ = try? await ThreadedWork.run { _ in storeSession.finish(timeout: 5) }
            await storeSession.close()
            throw error
        }
        let version = expectedVersion
        let result: Result<(SourceSummary, StoreAnswer), any Error>
        do {
            result = try await ThreadedWork.run(onCancel: .waitForWork) { cancel in
                Result { try Self.run(source: sourceSession, store: storeSession, read: read, write: write, version: version, cancel: cancel) }
            }
        } catch {
            result = .failure(error)
        }
        await sourceSession.close()
        await storeSession.close()
        return try result.get()
    }

    func open(_ host: HostEndpoint) async throws -> AgentSession {
        switch host.connect {
        case .local:
            // This machine: the same build, served on a thread (no process, no binary needed).
            let version = expectedVersion ?? "in-process"
            return try AgentSession.inProcess(host: host) { input, output in AgentServer.serve(input: input, output: output, version: version) }
        case .ssh:
            return try await sessions.openSession([executable, "agent"], on: host)
        }
    }

    /// Blocking: both hellos, both requests, the relay, the store's answer, both exits.
    static func run(
        source: AgentSession, store: AgentSession, read: AgentRequest, write: AgentRequest, version: String?, cancel: CancelFlag
    ) throws -> (SourceSummary, StoreAnswer) {
        var finished = false
        defer {
            if !finished {
                source.terminate()
                store.terminate()
            }
            source.finish(timeout: 10)
            store.finish(timeout: 10)
        }
        try handshake(store, version: version, cancel: cancel)
        try handshake(source, version: version, cancel: cancel)
        try send(write, to: store)
        try send(read, to: source)
        let outcome: HostRelay.Outcome
        do {
            outcome = try HostRelay.relay(
                from: source.fromAgent, to: store.toAgent, terminal: [AgentFrameType.summary.rawValue, AgentFrameType.failure.rawValue],
                frameLimit: AgentProtocol.frameLimit, cancel: cancel)
        } catch {
            // A store that stopped taking the stream usually said why before it exited (a full
            // disk, a refused frame): its answer names the cause better than the broken pipe.
            if case .storeFailed = error, let line = try? JSONLine.read(store.fromAgent, within: 10, cancel: cancel),
                let f = (try? JSONDecoder().decode(StoreAnswer.self, from: line))?.failure
            {
                throw f.stepError(on: store.host, adding: "; nothing of this attempt was published")
            }
            throw relayFailure(error, source: source, store: store)
        }
        // The store's input ends here: after a summary it commits; otherwise it abandons.
        store.closeInput()
        let answerLine: Data?
        do {
            // The store commits, or runs the site's import command, before it answers: bounded by
            // the request's own timeout and a margin, and a cancelled run stops waiting.
            answerLine = try JSONLine.read(store.fromAgent, within: Double(write.timeout ?? 3600) + 120, cancel: cancel)
        } catch let t as JSONLine.Timeout {
            throw TwoHostFailure(.noAnswer(seconds: Int(t.seconds)), host: store.host.name, said: store.diagnostics(limit: 300))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            answerLine = nil
        }
        let storeStatus = store.finish(timeout: 60)
        let sourceStatus = source.finish(timeout: 10)
        finished = true
        guard let terminal = outcome.terminal else {
            if let status = sourceStatus, let ssh = source.transportFailure(status: status) { throw ssh }
            throw TwoHostFailure(
                .sourceEndedMidStream(frames: outcome.frames, status: sourceStatus, store: store.host.name), host: source.host.name,
                said: source.diagnostics(limit: 300))
        }
        if terminal.type == AgentFrameType.failure.rawValue {
            let f = (try? JSONDecoder().decode(AgentFailure.self, from: terminal.payload)) ?? AgentFailure(message: "the source failed")
            throw f.stepError(on: source.host)
        }
        guard let summary = try? JSONDecoder().decode(SourceSummary.self, from: terminal.payload) else {
            throw TwoHostFailure(.summaryUnreadable, host: source.host.name)
        }
        guard let line = answerLine ?? nil, let answer = try? JSONDecoder().decode(StoreAnswer.self, from: line) else {
            if let status = storeStatus, let ssh = store.transportFailure(status: status) { throw ssh }
            throw TwoHostFailure(.storeEndedWithoutAnswer(status: storeStatus), host: store.host.name, said: store.diagnostics(limit: 300))
        }
        if let f = answer.failure {
            throw f.stepError(on: store.host)
        }
        var cleaned = answer
        // Warnings are the source host's text: bounded and made inert for a terminal here.
        cleaned.imported?.warnings = answer.imported?.warnings.prefix(20).map { AgentFailure.inert($0) } ?? []
        return (summary, cleaned)
    }

    /// Reads the agent's hello and refuses another protocol or version, naming both and the fix.
    /// Bounded by the session's handshake timeout; a raised `cancel` ends the wait.
    static func handshake(_ session: AgentSession, version: String?, cancel: CancelFlag?) throws {
        let line: Data?
        do {
            line = try JSONLine.read(session.fromAgent, limit: 4096, within: session.handshakeTimeout, cancel: cancel)
        } catch let t as JSONLine.Timeout {
            throw TwoHostFailure(
                .noHello(seconds: Int(t.seconds), address: session.host.address), host: session.host.name, said: session.diagnostics(limit: 300))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            line = nil
        }
        guard let line, let hello = try? JSONDecoder().decode(AgentHello.self, from: line), hello.agent == "mailshift" else {
            let status = session.finish(timeout: 15)
            if let status, let ssh = session.transportFailure(status: status) { throw ssh }
            throw TwoHostFailure(
                .noAgent(status: status, expected: version, address: session.host.address), host: session.host.name,
                said: session.diagnostics(limit: 400))
        }
        if hello.protocolVersion != AgentProtocol.version || (version != nil && hello.version != version) {
            throw TwoHostFailure(
                .versionMismatch(agent: hello.version, agentProtocol: hello.protocolVersion, ours: version, address: session.host.address),
                host: session.host.name)
        }
    }

    static func send(_ request: AgentRequest, to session: AgentSession) throws {
        do {
            try JSONLine.write(session.toAgent, request)
        } catch {
            throw TwoHostFailure(.closedBeforeRequest("\(error)"), host: session.host.name, said: session.diagnostics(limit: 300))
        }
    }

    static func relayFailure(_ error: HostRelay.Failure, source: AgentSession, store: AgentSession) -> any Error {
        switch error {
        case .malformed(let why):
            return TwoHostFailure(.malformed(why: why, store: store.host.name), host: source.host.name)
        case .sourceFailed(let code):
            return TwoHostFailure(.sourceReadFailed(code), host: source.host.name)
        case .storeFailed(let code):
            return TwoHostFailure(.storeStopped(code), host: store.host.name, said: store.diagnostics(limit: 300))
        case .cancelled:
            return CancellationError()
        }
    }
}

extension AgentFailure {
    /// Text another host wrote, bounded and with control characters escaped before it reaches
    /// this terminal or the journal.
    static func inert(_ text: String) -> String { TerminalSafeText.escape(String(text.prefix(600))) }

    func stepError(on host: HostEndpoint, adding tail: String = "") -> TwoHostFailure {
        TwoHostFailure(.agentRefused(message: message, hint: hint, transient: transient, tail: tail), host: host.name)
    }
}
