import ExecutorHarness
import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

/// Runs `ExecutorCrashWorker` as a real separate process and SIGKILLs it at random moments.
@Suite struct CrashSafetyTests {
    static func workerPath() throws -> String {
        var candidates: [String] = []
        if let exe = Bundle.main.executablePath { candidates.append((exe as NSString).deletingLastPathComponent) }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        candidates.append(package + "/.build/debug")
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir + "/ExecutorCrashWorker") {
            return dir + "/ExecutorCrashWorker"
        }
        throw CocoaError(.fileNoSuchFile)
    }

    func start(_ root: String, _ state: String, _ extra: [String] = []) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Self.workerPath())
        p.arguments = [root, state] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs to the end and returns the exit status and how long it took.
    func runToEnd(_ root: String, _ state: String, _ extra: [String] = []) throws -> (Int32, Double) {
        let begin = Date()
        let p = try start(root, state, extra)
        p.waitUntilExit()
        return (p.terminationStatus, Date().timeIntervalSince(begin))
    }

    func journalHasNoFailures(_ state: String, _ graph: StepGraph) throws -> Bool {
        var failures = 0
        _ = try FileJournalStore(directory: state).read(full: false) { r in if r.kind == .failed { failures += 1 } }
        let complete = try JournalState.load(from: FileJournalStore(directory: state), for: graph).isComplete
        return failures == 0 && complete
    }

    @Test func killedAtRandomMomentsTheRunStillAppliesEveryEffectExactlyOnce() throws {
        let dir = try TemporaryDirectory(prefix: "crash")
        defer { dir.remove() }
        let graph = HarnessGraph.make(users: 200)
        #expect(graph.stepCount >= 500)
        let options = ["--delay-us", "300"]

        let (status, duration) = try runToEnd(dir.file("reference"), dir.file("reference-state"), options)
        try #require(status == 0)
        let reference = FileEffectRunner.snapshot(root: dir.file("reference"))
        try #require(reference.count == graph.stepCount)

        var kills = 0
        var campaigns = 0
        var generator = SystemRandomNumberGenerator()
        while kills < 60 {
            campaigns += 1
            let root = dir.file("run\(campaigns)")
            let state = dir.file("state\(campaigns)")
            var finished = false
            var launches = 0
            while !finished {
                launches += 1
                try #require(launches < 500, "the run makes no progress")
                let p = try start(root, state, options)
                // Up to 10 kills per campaign, each at a random moment in the first half of what a
                // whole run takes (a resumed run has less left to do); then it runs to the end.
                let wait = launches > 10
                    ? 3600 : Double.random(in: 0.005...(max(0.02, duration * 0.5)), using: &generator)
                let deadline = Date().addingTimeInterval(wait)
                while p.isRunning, Date() < deadline { usleep(1_000) }
                if p.isRunning {
                    kill(p.processIdentifier, SIGKILL)
                    p.waitUntilExit()
                    kills += 1
                    // Now and then, simulate power loss in the middle of a journal write.
                    if kills % 7 == 0, let h = FileHandle(forWritingAtPath: state + "/journal.log") {
                        h.seekToEndOfFile()
                        h.write(Data("1a2b3c4d D\t5\tdeadbeef".utf8))
                        try? h.close()
                    }
                } else {
                    p.waitUntilExit()
                    #expect(p.terminationStatus == 0)
                    finished = true
                }
            }
            print("crash test: campaign \(campaigns) finished after \(launches) launches, \(kills) kills so far")
            #expect(FileEffectRunner.snapshot(root: root) == reference)
            #expect(try journalHasNoFailures(state, graph))
        }
        #expect(kills >= 50)
        print("crash test: \(kills) kills over \(campaigns) campaigns, uninterrupted run \(duration) s")
    }

    @Test func sigintStopsLaunchingAndLeavesAResumableJournal() throws {
        let dir = try TemporaryDirectory(prefix: "sigint")
        defer { dir.remove() }
        let graph = HarnessGraph.make(users: 200)
        let root = dir.file("root")
        let state = dir.file("state")
        let p = try start(root, state, ["--delay-us", "3000", "--parallel", "2"])
        usleep(300_000)
        // Status from another process while the run goes: readable without the lock.
        let store = FileJournalStore(directory: state)
        let during = try JournalState.load(from: store, for: graph)
        #expect(during.status.contains(.done))
        #expect(try store.lockStatus()?.1 == .alive)
        #expect(try store.lockHolder()?.command == "executor-crash-worker")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationStatus == 4)
        let afterInterrupt = try JournalState.load(from: FileJournalStore(directory: state), for: graph)
        #expect(!afterInterrupt.isComplete)
        #expect(afterInterrupt.failures.isEmpty)
        // A graceful stop lets running steps finish: nothing is left half-done.
        #expect(!afterInterrupt.status.contains(.started))
        #expect(try FileJournalStore(directory: state).lockHolder() == nil)

        let (status, _) = try runToEnd(root, state)
        #expect(status == 0)
        #expect(FileEffectRunner.snapshot(root: root).count == graph.stepCount)
        #expect(try journalHasNoFailures(state, graph))
    }
}
