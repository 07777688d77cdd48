import Foundation
import SystemCalls

/// Runs blocking file work (reading a mailbox, fsyncs) on its own thread, not on Swift's
/// cooperative pool: that pool has one thread per core (two here), and an import blocked in
/// `syncfs` there would stall every other step of the run. A cancelled step returns at once and
/// the work is abandoned to the process's exit, as a crash would leave it: an import's messages
/// are invisible until their batch commits, and a resume inspects the step again.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await ThreadedWork.run(onCancel: .abandonWork) { _ in try work() }
    }
}
