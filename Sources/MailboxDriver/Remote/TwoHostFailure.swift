import Diagnostics
import Glibc
import Steps

/// Why a two-host transfer (legacy host → orchestrator → store host) stopped, naming the host it
/// concerns. Nothing of a failed attempt is published in the store; the transient ones (a session
/// that ended, a deadline) are retried, and a resume re-sends the mailbox.
///
/// `said` is what the host's agent or ssh wrote on stderr: bounded and made inert (control
/// characters escaped) before it reaches a terminal or the journal.
public struct TwoHostFailure: StepFailure, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The store agent's answer lacks the report the request asked for (`import`, `verify`, `command`).
        case noReport(String)
        /// The store agent did not answer within the request's deadline.
        case noAnswer(seconds: Int)
        /// The source session ended before its summary frame.
        case sourceEndedMidStream(frames: Int, status: Int32?, store: String)
        /// The source's summary frame could not be decoded.
        case summaryUnreadable
        /// The store session ended without an answer.
        case storeEndedWithoutAnswer(status: Int32?)
        /// No hello within the handshake deadline.
        case noHello(seconds: Int, address: String)
        /// What answered is not a mailshift agent.
        case noAgent(status: Int32?, expected: String?, address: String)
        /// The agent is another version or protocol.
        case versionMismatch(agent: String, agentProtocol: Int, ours: String?, address: String)
        /// The agent's session closed before the request was sent.
        case closedBeforeRequest(String)
        /// The source's frames broke the protocol.
        case malformed(why: String, store: String)
        /// Reading the source session failed (errno).
        case sourceReadFailed(Int32)
        /// The store session stopped taking the stream (errno).
        case storeStopped(Int32)
        /// The agent refused or failed, and said why (`AgentFailure`).
        case agentRefused(message: String, hint: String?, transient: Bool, tail: String)
    }

    public var reason: Reason
    /// The plan's name for the host.
    public var host: String
    public var said: String

    public init(_ reason: Reason, host: String, said: String = "") {
        self.reason = reason
        self.host = host
        self.said = AgentFailure.inert(said)
    }

    public var disposition: FailureDisposition {
        switch reason {
        case .noAnswer, .sourceEndedMidStream, .storeEndedWithoutAnswer, .noHello, .closedBeforeRequest, .sourceReadFailed,
            .storeStopped:
            .transient
        case .agentRefused(_, _, let transient, _): transient ? .transient : .permanent
        case .noReport, .summaryUnreadable, .noAgent, .versionMismatch, .malformed: .permanent
        }
    }

    public var summary: String {
        let what: String
        switch reason {
        case .noReport(let kind): what = "the store agent answered no \(kind) report"
        case .noAnswer(let s): what = "the store agent gave no answer within \(s) s; nothing of this attempt was published"
        case .sourceEndedMidStream(let frames, let status, let store):
            what = "the source session ended mid-stream after \(frames) frames (exit \(status.map(String.init) ?? "?")); nothing of this attempt is visible on \(store)"
        case .summaryUnreadable: what = "the source's summary is not understood"
        case .storeEndedWithoutAnswer(let status): what = "the store session ended without an answer (exit \(status.map(String.init) ?? "?"))"
        case .noHello(let s, _): what = "no hello from the mailshift agent within \(s) s"
        case .noAgent(let status, _, _):
            what = "no mailshift agent answered (exit \(status.map(String.init) ?? "?"))\(said.isEmpty ? "" : ": \(said)")"
        case .versionMismatch(let agent, let agentProtocol, let ours, _):
            what = "mailshift agent \(agent) (protocol \(agentProtocol)), but this orchestrator is \(ours ?? "?") (protocol \(AgentProtocol.version))"
        case .closedBeforeRequest(let detail): what = "the agent's session closed before the request (\(detail))"
        case .malformed(let why, let store): what = "the source's stream is malformed: \(why); nothing was published on \(store)"
        case .sourceReadFailed(let e): what = "reading the source session failed: \(String(cString: strerror(e)))"
        case .storeStopped(let e):
            what = "the store session stopped taking the stream (\(String(cString: strerror(e)))); nothing of this attempt was published"
        case .agentRefused(let message, _, _, let tail): what = AgentFailure.inert(message) + tail
        }
        return "\(host): \(what)"
    }

    public var hint: String? {
        switch reason {
        case .noHello(_, let address):
            "is \(address) reachable, and does `mailshift agent` start there? \(said)"
        case .noAgent(_, let expected, let address):
            "install mailshift \(expected ?? "") on \(address) as `mailshift` on the login PATH (docs/hosts.md, Two hosts)"
        case .versionMismatch(_, _, let ours, let address):
            "install mailshift \(ours ?? "of this build") on \(address) (copy the same binary to its PATH; docs/hosts.md, Two hosts), then resume"
        case .sourceEndedMidStream: "a resume re-sends the mailbox; \(said)"
        case .agentRefused(_, let hint, _, _): hint.map(AgentFailure.inert)
        case .noAnswer, .storeEndedWithoutAnswer, .closedBeforeRequest, .storeStopped: said.isEmpty ? nil : said
        case .noReport, .summaryUnreadable, .malformed, .sourceReadFailed: nil
        }
    }

    public var diagnosticCode: DiagnosticCode {
        switch reason {
        case .noReport, .summaryUnreadable, .malformed: "agent.protocol"
        case .noAnswer, .noHello: "agent.deadline"
        case .sourceEndedMidStream, .storeEndedWithoutAnswer, .closedBeforeRequest, .sourceReadFailed, .storeStopped:
            "agent.session-ended"
        case .noAgent: "agent.missing"
        case .versionMismatch: "agent.version-mismatch"
        case .agentRefused: "agent.refused"
        }
    }

    public var subject: RunSubject? { RunSubject(host: host) }
}
