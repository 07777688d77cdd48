import Foundation

/// Runs blocking file work (reading a mailbox, fsyncs) on its own thread, not on Swift's
/// cooperative pool: that pool has one thread per core (two here), and an import blocked in
/// `syncfs` there would stall every other step of the run.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            let thread = Thread {
                do { c.resume(returning: try work()) } catch { c.resume(throwing: error) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
