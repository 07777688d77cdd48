import ArgumentParser
import Executor
import Foundation
import Synchronization
import SystemCalls

/// How `run` and `resume` report progress on stderr.
enum LogFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// On a terminal: a live line per running batch, log lines scrolling above. Otherwise
    /// timestamped lines.
    case text
    /// One JSON object per line, for machines.
    case json
}

/// Prints run events. On a terminal it keeps a block of live lines at the bottom (one per batch
/// with work in flight: done/total, rate, ETA) and erases it before printing a log line above it,
/// so logs never garble. Elsewhere it prints timestamped lines, and a progress line per batch at
/// most every few seconds.
final class ProgressPrinter: RunObserver, Sendable {
    private let format: LogFormat
    /// What is shown, and the terminal's bottom lines, changed by one thread at a time.
    private let board: Mutex<ProgressBoard>
    private let timer: SendableTimer?

    init(format: LogFormat) {
        self.format = format
        let live = format == .text && Terminal.standardErrorIsTerminal
        board = Mutex(ProgressBoard(live: live))
        timer = live ? SendableTimer(every: .milliseconds(200)) : nil
        timer?.start { [weak self] in self?.board.withLock { $0.redraw() } }
    }

    func finish() {
        timer?.cancel()
        board.withLock { $0.eraseLive() }
    }

    func handle(_ event: RunEvent) {
        if format == .json {
            emitJSON(event)
            return
        }
        board.withLock { $0.handle(event) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m"
    }

    /// RFC 3339 UTC; JSON lines carry milliseconds, so a log yields each step's duration.
    static func timestamp(fractional: Bool = false) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f.string(from: Date())
    }

    private func emitJSON(_ event: RunEvent) {
        var object: [String: Any] = ["time": Self.timestamp(fractional: true)]
        switch event {
        case .began(let list):
            object["event"] = "began"
            object["batches"] = list.map { ["name": $0.name, "total": $0.total, "done": $0.done] }
        case .stepStarted(_, let id, let batch):
            object["event"] = "step.started"
            object["step"] = id
            object["batch"] = batch ?? "-"
        case .stepFinished(_, let id, let batch, let outcome):
            object["event"] = "step.finished"
            object["step"] = id
            object["batch"] = batch ?? "-"
            object["outcome"] = outcome.rawValue
        case .retrying(let id, let attempt, let delay, let reason):
            object["event"] = "step.retrying"
            object["step"] = id
            object["attempt"] = attempt
            object["delay"] = delay
            object["reason"] = reason
        case .log(let id, let line):
            object["event"] = "log"
            object["step"] = id
            object["line"] = line
        case .skipped(let count, let cause):
            object["event"] = "skipped"
            object["count"] = count
            object["cause"] = cause
        case .batchStopped(let batch, let failures, let limit):
            object["event"] = "batch.stopped"
            object["batch"] = batch
            object["failures"] = failures
            object["limit"] = limit
        case .stopping(let reason):
            object["event"] = "stopping"
            object["reason"] = reason
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        board.withLock { _ in Console.error(String(decoding: data, as: UTF8.self) + "\n") }
    }
}
