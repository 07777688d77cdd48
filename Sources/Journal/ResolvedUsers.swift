/// The users a batch's `users_from` directory search found when a run started.
///
/// Journaled (a `resolved` record, before any step runs) so that a resume, `status`, `approve`
/// and `rollback` compile the very same graph even if the directory has changed since. The
/// record holds the batch name, the filter it was searched with (a resume searches again only
/// when the plan's filter changed), the time, and the user names; no secret.
public struct ResolvedUsers: Sendable, Hashable {
    /// The batch's name as declared in the plan (before chunking).
    public var batch: String
    public var filter: String
    public var users: [String]
    /// When the search ran (ISO 8601, UTC).
    public var time: String

    public init(batch: String, filter: String, users: [String], time: String) {
        self.batch = batch
        self.filter = filter
        self.users = users
        self.time = time
    }

    /// The journal record of this list.
    public var record: JournalRecord {
        JournalRecord(kind: .resolved, index: -1, fingerprint: "-", stepID: batch, detail: [filter, time] + users)
    }

    /// The list a `resolved` record holds (nil for any other record).
    public init?(_ record: JournalRecord) {
        guard record.kind == .resolved, record.detail.count >= 2 else { return nil }
        self.init(batch: record.stepID, filter: record.detail[0], users: Array(record.detail[2...]),
            time: record.detail[1])
    }

    /// The latest list per batch in `store` (empty when there is no journal yet). Reads the
    /// journal without binding it to a graph: the graph depends on these very lists.
    public static func latest(in store: any JournalStore) throws -> [String: ResolvedUsers] {
        guard try store.readHeader() != nil else { return [:] }
        var out: [String: ResolvedUsers] = [:]
        _ = try store.read(full: false) { record in
            if let list = ResolvedUsers(record) { out[list.batch] = list }
        }
        return out
    }

    /// The latest list per batch among a replayed journal's records.
    public static func latest(in state: JournalState) -> [String: ResolvedUsers] {
        var out: [String: ResolvedUsers] = [:]
        for r in state.resolved { if let list = ResolvedUsers(r) { out[list.batch] = list } }
        return out
    }
}
