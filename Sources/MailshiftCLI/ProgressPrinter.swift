import ArgumentParser
import Executor
import Foundation
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
final class ProgressPrinter: RunObserver, @unchecked Sendable {
    private struct Batch {
        var name: String
        var total: Int
        var done: Int
        var doneAtStart: Int
        var running = 0
        var began = Date()
        var lastPrinted = Date.distantPast
    }

    private let format: LogFormat
    private let live: Bool
    private let lock = NSLock()
    private var batches: [Batch] = []
    private var byName: [String: Int] = [:]
    private var shownLines = 0
    private var timer: (any DispatchSourceTimer)?

    init(format: LogFormat) {
        self.format = format
        self.live = format == .text && Terminal.standardErrorIsTerminal
        if live {
            let t = DispatchSource.makeTimerSource(queue: .global())
            t.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
            t.setEventHandler { [weak self] in self?.redraw() }
            t.resume()
            timer = t
        }
    }

    func finish() {
        timer?.cancel()
        lock.lock()
        eraseLive()
        lock.unlock()
    }

    func handle(_ event: RunEvent) {
        if format == .json {
            emitJSON(event)
            return
        }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .began(let list):
            for b in list {
                byName[b.name] = batches.count
                batches.append(Batch(name: b.name, total: b.total, done: b.done, doneAtStart: b.done))
            }
        case .stepStarted(_, _, let batch):
            if let b = byName[batch ?? "-"] { batches[b].running += 1 }
        case .stepFinished(_, let id, let batch, let outcome):
            if let b = byName[batch ?? "-"] {
                batches[b].running -= 1
                if outcome == .applied || outcome == .alreadyDone { batches[b].done += 1 }
                let progressed = outcome == .applied || outcome == .alreadyDone
                if !live, progressed,
                    Date().timeIntervalSince(batches[b].lastPrinted) >= 5 || batches[b].done == batches[b].total
                {
                    batches[b].lastPrinted = Date()
                    print(progressLine(batches[b]))
                }
            }
            if outcome == .failed { print("\(id): failed") }
            if outcome == .waiting { print("\(id): waiting for approval") }
        case .retrying(let id, let attempt, let delay, let reason):
            print("\(id): \(reason); attempt \(attempt) in \(String(format: "%.1f", delay)) s")
        case .log(let id, let line):
            print("\(id): \(line)")
        case .skipped(let count, let cause):
            print("skipped \(count) step\(count == 1 ? "" : "s") that depend on \(cause)")
        case .batchStopped(let batch, let failures, let limit):
            print("batch \(batch) stopped: \(failures) failures, more than max_failures \(limit)")
        case .stopping(let reason):
            print("stopping: \(reason)")
        }
    }

    /// Prints a line above the live block (or with a timestamp when not on a terminal).
    private func print(_ line: String) {
        if live {
            eraseLive()
            Console.error(line + "\n")
            drawLive()
        } else {
            Console.error(Self.timestamp() + " " + line + "\n")
        }
    }

    private func redraw() {
        lock.lock()
        defer { lock.unlock() }
        eraseLive()
        drawLive()
    }

    private func eraseLive() {
        guard live, shownLines > 0 else { return }
        Console.error(String(repeating: "\u{1B}[1A\u{1B}[2K", count: shownLines) + "\r")
        shownLines = 0
    }

    private func drawLive() {
        guard live else { return }
        let active = batches.filter { $0.running > 0 }
        for b in active { Console.error(progressLine(b) + "\n") }
        shownLines = active.count
    }

    private func progressLine(_ b: Batch) -> String {
        let elapsed = max(0.001, Date().timeIntervalSince(b.began))
        let rate = Double(b.done - b.doneAtStart) / elapsed
        var line = "batch \(b.name): \(DryRunPreview.count(b.done))/\(DryRunPreview.count(b.total)) done"
        if rate > 0 {
            line += String(format: ", %.1f/s", rate)
            let left = Double(b.total - b.done) / rate
            if b.done < b.total { line += ", ETA \(Self.duration(left))" }
        }
        if b.running > 0 { line += ", \(b.running) running" }
        return line
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
        lock.lock()
        Console.error(String(decoding: data, as: UTF8.self) + "\n")
        lock.unlock()
    }
}
