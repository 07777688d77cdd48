import Foundation
import Glibc
import SystemCalls

/// Makes staged messages durable, then visible, on a thread of its own, so an import goes on
/// parsing and writing the next batch while the disk works on this one.
///
/// One publisher per file system: every batch waiting when a flush starts (from any import
/// writing there) shares one `syncfs`, as journal records share a group commit. Order per batch:
/// `syncfs` (the bytes are durable) → link or rename each message into `new/` or `cur/`. The
/// links become durable with the next flush, or with the writer's final directory fsyncs.
final class DurablePublisher: @unchecked Sendable {
    /// A submitted batch; `done` and `error` are guarded by the publisher's condition.
    final class Ticket: @unchecked Sendable {
        fileprivate var done = false
        fileprivate var error: MboxError?
    }

    private struct Job {
        /// A descriptor on the file system, open until the job is done (the writer waits for it).
        var anchor: Int32
        var messages: [StagedMessage]
        var ticket: Ticket
    }

    /// Up to this many messages waiting are made durable with one `fsync` each, not a `syncfs`.
    static let fewMessages = 16

    private let condition = NSCondition()
    private var queue: [Job] = []

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [UInt64: DurablePublisher] = [:]

    /// The publisher for the file system holding `fd`.
    static func forFileSystem(of fd: Int32) -> DurablePublisher {
        var st = stat()
        fstat(fd, &st)
        registryLock.lock()
        defer { registryLock.unlock() }
        if let p = registry[UInt64(st.st_dev)] { return p }
        let p = DurablePublisher()
        registry[UInt64(st.st_dev)] = p
        let thread = Thread { p.serve() }
        thread.name = "mailshift-publish"
        thread.stackSize = 256 << 10
        thread.start()
        return p
    }

    /// Queues a batch; `anchor` is any descriptor on this file system, kept open by the caller
    /// until the ticket is done.
    func submit(anchor: Int32, _ messages: [StagedMessage]) -> Ticket {
        let ticket = Ticket()
        let job = Job(anchor: anchor, messages: messages, ticket: ticket)
        condition.lock()
        queue.append(job)
        condition.broadcast()
        condition.unlock()
        return ticket
    }

    /// Whether the batch is through (without waiting).
    func isDone(_ ticket: Ticket) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return ticket.done
    }

    /// Waits until the batch is durable and visible, or throws why it is not.
    func wait(_ ticket: Ticket) throws {
        condition.lock()
        while !ticket.done { condition.wait() }
        let error = ticket.error
        condition.unlock()
        if let error { throw error }
    }

    private func serve() {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let jobs = queue
            queue.removeAll()
            condition.unlock()

            var errors: [MboxError?] = []
            // A handful of messages (a window's delta) are synced one by one: a `syncfs` would
            // wait for everything else dirty on the file system too.
            let few = jobs.reduce(0) { $0 + $1.messages.count } <= Self.fewMessages
            if few ? jobs.allSatisfy({ $0.messages.allSatisfy { $0.sync() } }) : (try? Descriptor.syncFileSystem(jobs[0].anchor)) != nil {
                errors = jobs.map { job in
                    var first: MboxError?
                    for m in job.messages {
                        if let e = m.publish() {
                            first = first ?? e
                        }
                    }
                    return first
                }
            } else {
                let reason = (few ? "fsync: " : "syncfs: ") + String(cString: strerror(errno))
                for job in jobs { job.messages.forEach { $0.discard() } }
                errors = jobs.map { job in
                    let maildir = ((job.messages.first?.final ?? "") as NSString).deletingLastPathComponent
                    return MboxError(.writeFailed, file: maildir, offset: 0, detail: reason)
                }
            }
            condition.lock()
            for (job, error) in zip(jobs, errors) {
                job.ticket.error = error
                job.ticket.done = true
            }
            condition.broadcast()
            condition.unlock()
        }
    }}
