import Foundation
import Synchronization

/// Starts the lab's daemons side by side: each start is a child process the lab waits for
/// (`postfix start` alone runs its checks for ~1.5 s), and none needs another to be up first
/// (the front MX queues for a legacy MTA that is not listening yet). Errors are all reported.
enum LabDaemonStart {
    /// Runs every job on a thread of its own; throws the first error after all have ended.
    static func together(_ jobs: [@Sendable () throws -> Void]) throws {
        let failures = Failures()
        let done = DispatchGroup()
        for job in jobs {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do { try job() } catch { failures.add(error) }
            }
        }
        done.wait()
        let all = failures.all
        guard let first = all.first else { return }
        if all.count == 1 { throw first }
        throw LabError(all.map { "\($0)" }.joined(separator: "\n"))
    }

    /// The jobs' errors, collected under a lock.
    private final class Failures: Sendable {
        private let errors = Mutex<[any Error]>([])
        func add(_ error: any Error) { errors.withLock { $0.append(error) } }
        var all: [any Error] { errors.withLock { $0 } }
    }
}
