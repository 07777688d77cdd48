/// Where a run's journal lives. The file backend (`FileJournalStore`) is the default; the protocol
/// is small so that a shared backend (a PostgreSQL table with an advisory lock) can come later.
///
/// Contract:
/// - `append` returns only once its records are on stable storage; concurrent calls share one
///   flush (group commit). The executor acts on a transition only after `append` returned.
/// - `read` never modifies anything (so `mailshift status` can read while a run appends); a torn
///   last record is skipped and reported in the result's warnings.
/// - `beginAppending` requires the lock, and cuts a torn tail off before the first append.
public protocol JournalStore: AnyObject, Sendable {
    /// A human-readable location: a directory, a database URL.
    var location: String { get }

    /// Reads the header and every whole record in order. With `full == false` records that carry
    /// only a status (started, skipped, done without outputs) come without id and fingerprint.
    func read(full: Bool, visit: (JournalRecord) throws -> Void) throws -> JournalReadResult

    /// The header alone (nil for a journal that does not exist yet).
    func readHeader() throws -> JournalHeader?

    /// Prepares for appending: cuts a torn tail, writes `header` when the journal is new.
    func beginAppending(header: JournalHeader) throws

    /// Appends records durably (group-committed with concurrent callers).
    func append(_ records: [JournalRecord]) async throws

    /// Atomically replaces the whole journal (compaction, or rebinding to a changed plan).
    func rewrite(header: JournalHeader, records: [JournalRecord]) throws

    /// Flushes and stops appending.
    func close()

    /// Takes the one-executor-at-a-time lock, or throws `JournalError.locked`.
    func acquireLock(command: String) throws -> any JournalLease

    /// Who holds the lock, if anyone (for `mailshift unlock` and error messages).
    func lockHolder() throws -> LockHolder?

    /// Breaks a lock whose holder is dead; refuses (throws) while the holder lives.
    func breakLock() throws -> LockHolder?
}

/// A held lock; `release()` gives it back (also done when the process dies).
public protocol JournalLease: AnyObject, Sendable {
    func release()
    /// The holder of a stale lock this lease replaced (it died without releasing), if any.
    var takenOverFrom: LockHolder? { get }
}

/// What reading a journal found besides the records.
public struct JournalReadResult: Sendable {
    /// Nil for a journal that does not exist yet.
    public var header: JournalHeader?
    public var recordCount: Int
    /// E.g. a dropped torn last record.
    public var warnings: [String]
    /// Byte length of the whole, valid records (the file is cut there before appending).
    public var validLength: Int

    public init(header: JournalHeader?, recordCount: Int, warnings: [String], validLength: Int) {
        self.header = header
        self.recordCount = recordCount
        self.warnings = warnings
        self.validLength = validLength
    }
}
