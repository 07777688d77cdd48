import Executor
import Foundation

/// The progress a run has made per batch, and the live lines at the bottom of a terminal: log
/// lines print above them (erase, print, redraw), so they never garble. Not on a terminal, lines
/// carry a timestamp and a batch's progress prints at most every few seconds.
struct ProgressBoard {
    struct Batch {
        var name: String
        var total: Int
        var done: Int
        var doneAtStart: Int
        var running = 0
        var began = Date()
        var lastPrinted = Date.distantPast
    }

    let live: Bool
    private var batches: [Batch] = []
    private var byName: [String: Int] = [:]
    private var shownLines = 0

    init(live: Bool) { self.live = live }

    mutating func handle(_ event: RunEvent) {
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
                let progressed = outcome == .applied || outcome == .alreadyDone
                if progressed { batches[b].done += 1 }
                if !live, progressed,
                    Date().timeIntervalSince(batches[b].lastPrinted) >= 5 || batches[b].done == batches[b].total
                {
                    batches[b].lastPrinted = Date()
                    print(Self.progressLine(batches[b]))
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
    private mutating func print(_ line: String) {
        if live {
            eraseLive()
            Console.error(line + "\n")
            drawLive()
        } else {
            Console.error(ProgressPrinter.timestamp() + " " + line + "\n")
        }
    }

    mutating func redraw() {
        eraseLive()
        drawLive()
    }

    mutating func eraseLive() {
        guard live, shownLines > 0 else { return }
        Console.error(String(repeating: "\u{1B}[1A\u{1B}[2K", count: shownLines) + "\r")
        shownLines = 0
    }

    private mutating func drawLive() {
        guard live else { return }
        let active = batches.filter { $0.running > 0 }
        for b in active { Console.error(Self.progressLine(b) + "\n") }
        shownLines = active.count
    }

    static func progressLine(_ b: Batch) -> String {
        let elapsed = max(0.001, Date().timeIntervalSince(b.began))
        let rate = Double(b.done - b.doneAtStart) / elapsed
        var line = "batch \(b.name): \(DryRunPreview.count(b.done))/\(DryRunPreview.count(b.total)) done"
        if rate > 0 {
            line += String(format: ", %.1f/s", rate)
            let left = Double(b.total - b.done) / rate
            if b.done < b.total { line += ", ETA \(ProgressPrinter.duration(left))" }
        }
        if b.running > 0 { line += ", \(b.running) running" }
        return line
    }
}
