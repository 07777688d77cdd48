import Journal

/// Group commit at the loop level: records the loop queues go to the store one append at a time,
/// and what waits for them (launching a step, completing it) happens only once they are durable.
/// Without a store (a dry-run) nothing is recorded and every action happens at once.
struct JournalBatcher {
    let store: (any JournalStore)?
    private(set) var queued: [JournalRecord] = []
    private(set) var actions: [FlushAction] = []
    private(set) var flushing = false
    /// Records handed to the store.
    private(set) var transitions = 0

    init(store: (any JournalStore)?) { self.store = store }

    /// Queues `record` and `action` to follow its durability; returns the action to do now when
    /// there is no journal.
    mutating func enqueue(_ record: JournalRecord?, then action: FlushAction?) -> FlushAction? {
        guard store != nil else { return action }
        if let record { queued.append(record) }
        if let action { actions.append(action) }
        return nil
    }

    /// Queues records no action waits for (skipped, released), when there is a journal.
    mutating func note(_ records: [JournalRecord]) {
        if store != nil { queued += records }
    }

    /// The next group to append, if none is in flight; the caller appends it in a child task.
    mutating func startFlush() -> (store: any JournalStore, records: [JournalRecord], then: [FlushAction])? {
        guard let store, !flushing, !queued.isEmpty else { return nil }
        defer {
            queued = []
            actions = []
        }
        flushing = true
        transitions += queued.count
        return (store, queued, actions)
    }

    mutating func flushEnded() { flushing = false }

    /// After a failed append: drops what is queued and returns the launches that will never happen.
    mutating func abandon(_ lost: [FlushAction]) -> [Int] {
        flushing = false
        let launches = (lost + actions).compactMap { action -> Int? in
            if case .launch(let i) = action { return i }
            return nil
        }
        queued = []
        actions = []
        return launches
    }

    /// Appends what is left (records no action waits for) on the way out.
    mutating func finish() async throws {
        guard let store, !queued.isEmpty else { return }
        transitions += queued.count
        let records = queued
        queued = []
        try await store.append(records)
    }
}
