import Executor
import ExecutorHarness
import Foundation
import Journal
import Steps

/// A separate process the crash-safety test runs and SIGKILLs: it executes `HarnessGraph` with
/// `FileEffectRunner` effects and a file journal, exactly as `mailshift run` would.
///
///     executor-crash-worker ROOT STATE [--users N] [--parallel P] [--delay-us U]
///
/// Exit codes follow mailshift's: 0 completed, 2 steps failed, 3 awaiting approval,
/// 4 interrupted, 5 journal unavailable.
@main
enum CrashWorker {
    static func main() async {
        var args = Array(CommandLine.arguments.dropFirst())
        guard args.count >= 2 else {
            FileHandle.standardError.write(Data("usage: executor-crash-worker ROOT STATE [options]\n".utf8))
            exit(64)
        }
        let root = args.removeFirst()
        let stateDirectory = args.removeFirst()
        var users = 200
        var parallel = 8
        var delay: UInt32 = 0
        while !args.isEmpty {
            let flag = args.removeFirst()
            switch flag {
            case "--users": users = Int(args.isEmpty ? "" : args.removeFirst()) ?? users
            case "--parallel": parallel = Int(args.isEmpty ? "" : args.removeFirst()) ?? parallel
            case "--delay-us": delay = UInt32(args.isEmpty ? "" : args.removeFirst()) ?? delay
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(64)
            }
        }
        let graph = HarnessGraph.make(users: users, parallel: parallel)
        let store = FileJournalStore(directory: stateDirectory)
        let lease: any JournalLease
        do {
            lease = try store.acquireLock(command: "executor-crash-worker")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(5)
        }
        let runner = FileEffectRunner(root: root, graph: graph, applyDelay: delay)
        let control = RunControl()
        let trap = SignalTrap(control: control)
        do {
            let state = try JournalState.load(from: store, for: graph)
            for w in state.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            let executor = Executor(graph: graph, store: store, runners: { _ in runner },
                options: RunOptions(sessionName: state.isEmpty ? "run" : "resume"), control: control)
            let report = try await executor.run(from: state)
            trap.cancel()
            lease.release()
            for f in report.failures { FileHandle.standardError.write(Data("failed: \(f.stepID): \(f.summary)\n".utf8)) }
            switch report.outcome {
            case .completed: exit(0)
            case .failed: exit(2)
            case .awaitingApproval: exit(3)
            case .interrupted: exit(4)
            }
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(5)
        }
    }
}
